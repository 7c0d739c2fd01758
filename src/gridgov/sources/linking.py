"""Linking department records to the persons of the base: exact rules, then Splink.

1. Exact: a valid ID the base holds, corroborated by the name's sound or the birth date (a
   relative's ID written on someone's record is not corroborated, so it goes on to step 2).
2. Splink (Fellegi–Sunter on DuckDB, m by EM, u by random sampling) on what is left, with
   comparison levels for the normalised fields (ID exact / one typo; name exact / characters
   swapped / same Hubei-folded sound / ``?`` wildcard / similar; birth date exact / the known
   clerical variants; sex; phone; the flat). Blocking keeps every true pair reachable through at
   least one rule: the ID, its first 14 or last 12 characters (a typo elsewhere), the sound of
   the name with the birth year, the phone, the flat with the sex.
3. Family guard: two different *valid* IDs are two people, whatever the rest says (twins,
   parents and children at one address, spouses sharing a phone). Such a pair is never linked.
4. One person per record: the best candidate; its probability picks the outcome by thresholds.

Pure: pandas frames in, frames out; the service turns them into links, findings and persons.

Engines: Splink runs on DuckDB in this process (``duckdb``, the default), or on Spark
(``spark``, Splink's ``SparkAPI``) for volumes beyond one machine: the same model, its SQL
translated to Spark's dialect, on the cluster ``GRIDGOV_SPARK_MASTER`` names (``local[*]`` when
unset). Spark needs the ``pyspark`` package and a Java 17 runtime; without them
:class:`EngineUnavailable` says what to install.
"""

from __future__ import annotations

import importlib
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Any

import duckdb
import pandas as pd
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink import comparison_library as cl
from splink.internals.comparison_level_library import _translate_sql_string

from gridgov.sources.features import COLUMNS as COLUMNS  # re-exported: the linking API
from gridgov.sources.features import prepare as prepare
from gridgov.sources.normalise import name_sound_key

AUTO_LINK = 0.99
# A record whose two best candidates are this close (match weight) is a twin's: review it.
AMBIGUOUS_MARGIN = 3.0
REVIEW = 0.5

# Labels shown on the review page and in the API (zh first; English for the API).
COMPARISON_LABELS = {
    "id_number": "身份证号",
    "name": "姓名",
    "birth_date": "出生日期",
    "sex": "性别",
    "phone": "电话",
    "address_key": "住址",
}


ENGINES = ("duckdb", "spark")
SPARK_NEEDS = (
    "the Spark engine needs the pyspark package (pip install 'gridgov[spark]', about 317 MB) "
    "and a Java 17 runtime (apt-get install openjdk-17-jre-headless, or JAVA_HOME)"
)


class EngineUnavailable(RuntimeError):
    """The linking engine asked for cannot run here; the message says what to install."""


@dataclass(frozen=True)
class Thresholds:
    auto_link: float = AUTO_LINK
    review: float = REVIEW


def _date_variants_sql() -> str:
    l_, r_ = "try_cast(birth_date_l as date)", "try_cast(birth_date_r as date)"
    return (
        f"(year({l_}) = year({r_}) and month({l_}) = day({r_}) and day({l_}) = month({r_}))"
        f" or (year({l_}) = year({r_}) and (strftime({l_}, '%m-%d') = '01-01'"
        f" or strftime({r_}, '%m-%d') = '01-01'))"
        f" or (strftime({l_}, '%m-%d') = strftime({r_}, '%m-%d')"
        f" and abs(year({l_}) - year({r_})) = 1)"
        f" or abs(datediff('day', {l_}, {r_})) between 20 and 50"
    )


def settings() -> Any:
    def null(column: str) -> dict[str, Any]:
        return {
            "sql_condition": f"{column}_l IS NULL OR {column}_r IS NULL",
            "label_for_charts": "缺失",
            "is_null_level": True,
        }

    def level(sql: str, label: str) -> dict[str, Any]:
        return {"sql_condition": sql, "label_for_charts": label}

    other = level("ELSE", "不同")
    comparisons: list[Any] = [
        cl.CustomComparison(
            output_column_name="id_number",
            comparison_levels=[
                null("id_number"),
                level("id_number_l = id_number_r", "相同"),
                level("damerau_levenshtein(id_number_l, id_number_r) <= 1", "差一位"),
                other,
            ],
        ),
        cl.CustomComparison(
            output_column_name="name",
            comparison_levels=[
                null("name"),
                level("name_l = name_r", "相同"),
                level("swapped_l = swapped_r", "名字顺序颠倒"),
                level("sound_l = sound_r", "读音相同"),
                level(
                    "(name_wild_l IS NOT NULL AND name_r LIKE name_wild_l)"
                    " OR (name_wild_r IS NOT NULL AND name_l LIKE name_wild_r)",
                    "生僻字缺字",
                ),
                level("jaro_winkler_similarity(sound_l, sound_r) >= 0.9", "读音相近"),
                level("surname_l = surname_r", "同姓不同名"),
                other,
            ],
        ),
        cl.CustomComparison(
            output_column_name="birth_date",
            comparison_levels=[
                null("birth_date"),
                level("birth_date_l = birth_date_r", "相同"),
                level(_date_variants_sql(), "常见登记误差"),
                other,
            ],
        ),
        cl.ExactMatch("sex"),
        cl.ExactMatch("phone"),
        cl.ExactMatch("address_key"),
    ]
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[
            block_on("id_number"),
            block_on("id14"),
            block_on("id_tail"),
            block_on("sound", "birth_year"),
            block_on("phone"),
            block_on("address_key", "sex"),
        ],
        retain_intermediate_calculation_columns=True,
        additional_columns_to_retain=["id_valid"],
        max_iterations=10,
    )


@dataclass
class LinkResult:
    """``links``: one row per record with a candidate (uid, person_uid, probability,
    match_weight, rule, explanation); ``model``: the trained Splink model (JSON dict)."""

    links: pd.DataFrame
    model: dict[str, Any]


def exact_links(base: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Records whose valid ID is in the base, corroborated by name sound or birth date."""
    valid = records[records["id_valid"]]
    pairs = valid.merge(base, on="id_number", suffixes=("", "_p"))
    agree = (pairs["sound"] == pairs["sound_p"]) | (pairs["birth_date"] == pairs["birth_date_p"])
    pairs = pairs[agree]
    return pd.DataFrame(
        {
            "uid": pairs["uid"],
            "person_uid": pairs["uid_p"],
            "probability": 1.0,
            "match_weight": math.inf,
            "rule": "exact_id",
            "explanation": [[{"comparison": "身份证号", "level": "相同且有效", "weight": None}]]
            * len(pairs),
        }
    ).drop_duplicates("uid")


def link(
    base: pd.DataFrame,
    records: pd.DataFrame,
    *,
    model: dict[str, Any] | None = None,
    train: bool = True,
    engine: str = "duckdb",
) -> LinkResult:
    """Link prepared ``records`` to prepared ``base`` (both from :func:`prepare`); Splink runs on
    ``engine`` (see :data:`ENGINES`)."""
    check_engine(engine)
    exact = exact_links(base, records)
    rest = records[~records["uid"].isin(exact["uid"])]
    if rest.empty or base.empty:
        return LinkResult(links=exact.reset_index(drop=True), model=model or {})
    if model is None or train:
        model = train_model(base, records, engine=engine)
    scored = _predict(base, rest, model, engine=engine)
    links = pd.concat([exact, scored], ignore_index=True)
    return LinkResult(links=links, model=model)


def check_engine(engine: str) -> None:
    """Refuse an unknown engine, or Spark where pyspark or Java is missing, before any work."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"unknown linking engine {engine!r} (one of {', '.join(ENGINES)})")
    if engine == "spark":
        if find_spec("pyspark") is None:
            raise EngineUnavailable(f"pyspark is not installed: {SPARK_NEEDS}")
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise EngineUnavailable(f"no Java runtime found: {SPARK_NEEDS}")


@contextmanager
def _linker(
    model: dict[str, Any], base: pd.DataFrame, records: pd.DataFrame, engine: str
) -> Iterator[Any]:
    """A Splink linker over the two frames on ``engine``."""
    if engine == "spark":
        spark = spark_session()
        api = splink_spark_api(spark)
        tables: list[Any] = [_spark_frame(spark, records), _spark_frame(spark, base)]
        yield Linker(tables, spark_model(model), api, set_up_basic_logging=False,
                     input_table_aliases=["records", "base"])  # fmt: skip
        return
    con = duckdb.connect()
    for name, frame in (("base", base), ("records", records)):
        con.register(f"{name}_df", frame)
        con.execute(f"create table {name} as select * from {name}_df")
        con.unregister(f"{name}_df")
    try:
        yield Linker(["records", "base"], model, DuckDBAPI(con), set_up_basic_logging=False,
                     input_table_aliases=["records", "base"])  # fmt: skip
    finally:
        con.close()


def spark_session() -> Any:
    """The Spark session (``GRIDGOV_SPARK_MASTER``, else ``local[*]``) with Splink's similarity
    functions (its jar) on the class path."""
    check_engine("spark")
    sql = importlib.import_module("pyspark.sql")  # optional: only the Spark engine needs it
    jar = importlib.import_module("splink.backends.spark").similarity_jar_location()
    spark = (
        sql.SparkSession.builder.master(os.environ.get("GRIDGOV_SPARK_MASTER", "local[*]"))
        .appName("gridgov-link")
        .config("spark.jars", jar)
        .config("spark.sql.shuffle.partitions", "8")
        .getOrCreate()
    )
    # Splink checkpoints its intermediate tables; a cluster names a shared directory.
    checkpoints = os.environ.get("GRIDGOV_SPARK_CHECKPOINT_DIR") or tempfile.mkdtemp(
        prefix="gridgov-spark-"
    )
    spark.sparkContext.setCheckpointDir(checkpoints)
    return spark


def _spark_frame(spark: Any, frame: pd.DataFrame) -> Any:
    """``frame`` as a Spark DataFrame with a schema of its own: Spark cannot infer the type of
    a column that holds only nulls (a small batch without phones, say), and the prepared frames
    keep every column as Python objects."""
    types = importlib.import_module("pyspark.sql.types")  # optional: only the Spark engine
    fields = []
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and all(isinstance(v, bool) for v in values):
            kind = types.BooleanType()
        elif len(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            kind = types.LongType()
        elif len(values) and all(isinstance(v, float) for v in values):
            kind = types.DoubleType()
        else:
            kind = types.StringType()
        fields.append(types.StructField(str(column), kind, True))
    rows = [
        tuple(None if value is None or value != value else value for value in row)  # NaN -> null
        for row in frame.itertuples(index=False, name=None)
    ]
    return spark.createDataFrame(rows, types.StructType(fields))


def splink_spark_api(spark: Any) -> Any:
    """Splink's Spark backend over ``spark`` (imported here: it imports pyspark)."""
    return importlib.import_module("splink.backends.spark").SparkAPI(spark_session=spark)


# DuckDB functions whose Spark equivalent is one of Splink's jar functions (sqlglot keeps the
# DuckDB name in its own spelling).
SPARK_FUNCTIONS = {
    "JAROWINKLER_SIMILARITY(": "jaro_winkler(",
    "DAMERAU_LEVENSHTEIN(": "damerau_levenshtein(",
}


def spark_sql(condition: str) -> str:
    """A comparison level's DuckDB condition in Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return condition
    text = _translate_sql_string(condition, "spark", "duckdb")
    for duck, spark in SPARK_FUNCTIONS.items():
        text = text.replace(duck, spark)
    return text


def spark_model(model: dict[str, Any]) -> dict[str, Any]:
    """The model (or settings) with every comparison level's condition in Spark SQL."""
    out = {**model, "sql_dialect": "spark", "comparisons": []}
    for comparison in model["comparisons"]:
        levels = [
            {**lv, "sql_condition": spark_sql(lv["sql_condition"])}
            for lv in comparison["comparison_levels"]
        ]
        out["comparisons"].append({**comparison, "comparison_levels": levels})
    return out


def train_model(
    base: pd.DataFrame, records: pd.DataFrame, *, engine: str = "duckdb"
) -> dict[str, Any]:
    """Estimate the model on all records against the base: u by random sampling, m by EM
    (blocked on the birth date, the name's sound and the ID in turn, so each comparison is
    trained on pairs not blocked on it). The model is kept in DuckDB's dialect."""
    start = settings().get_settings("duckdb").as_dict()
    with _linker(start, base, records, engine) as linker:
        linker.training.estimate_probability_two_random_records_match(
            [block_on("id_number")], recall=0.9
        )
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        for rule in (block_on("birth_date"), block_on("sound"), block_on("id_number")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        trained: dict[str, Any] = linker.misc.save_model_to_json()
    if engine != "duckdb":  # keep the stored model in one dialect: the conditions of ``start``
        for comparison, original in zip(trained["comparisons"], start["comparisons"], strict=True):
            for level, first in zip(
                comparison["comparison_levels"], original["comparison_levels"], strict=True
            ):
                level["sql_condition"] = first["sql_condition"]
        trained["sql_dialect"] = "duckdb"
    return _floored(trained)


def _floored(model: dict[str, Any], floor: float = 1e-4) -> dict[str, Any]:
    """No level may be impossible: a level EM never saw (a mover's other address, a sex typo)
    would otherwise weigh minus infinity and veto a true pair on its own."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            for key in ("m_probability", "u_probability"):
                if key in level and (level[key] or 0) < floor:
                    level[key] = floor
    return model


def _predict(
    base: pd.DataFrame, records: pd.DataFrame, model: dict[str, Any], *, engine: str = "duckdb"
) -> pd.DataFrame:
    with _linker(model, base, records, engine) as linker:
        predicted = linker.inference.predict(threshold_match_probability=0.05)
        frame = predicted.as_pandas_dataframe()
    trained = model
    if frame.empty:
        return _empty()
    # Splink puts the record of the first input on the left in link_only.
    left_is_record = frame["source_dataset_l"] == "records"
    frame["record_uid"] = frame["uid_l"].where(left_is_record, frame["uid_r"])
    frame["person_uid"] = frame["uid_r"].where(left_is_record, frame["uid_l"])
    guard = (
        frame["id_valid_l"].astype(bool)
        & frame["id_valid_r"].astype(bool)
        & (frame["gamma_id_number"] == 0)
    )
    frame = frame[~guard]
    frame = frame.sort_values("match_weight", ascending=False)
    runner_up = frame.groupby("record_uid")["match_weight"].nth(1)
    second_by_uid = dict(zip(_uids(frame, runner_up), runner_up, strict=True))
    frame = frame.drop_duplicates("record_uid")
    second = frame["record_uid"].map(second_by_uid)
    ambiguous = (frame["match_weight"] - second.fillna(-math.inf)) < AMBIGUOUS_MARGIN
    frame.loc[ambiguous, "match_probability"] = frame.loc[ambiguous, "match_probability"].clip(
        upper=AUTO_LINK - 0.01
    )
    labels = _level_labels(trained)
    explanations = [
        [
            {
                "comparison": COMPARISON_LABELS[c],
                "level": labels[c].get(int(row[f"gamma_{c}"]), ""),
                "weight": round(math.log2(row[f"bf_{c}"]), 2) if row[f"bf_{c}"] > 0 else None,
            }
            for c in COMPARISON_LABELS
        ]
        for row in frame.to_dict("records")
    ]
    out = pd.DataFrame(
        {
            "uid": frame["record_uid"].to_numpy(),
            "person_uid": frame["person_uid"].to_numpy(),
            "probability": frame["match_probability"].astype(float).to_numpy(),
            "match_weight": frame["match_weight"].astype(float).to_numpy(),
            "rule": "splink",
            "explanation": explanations,
        }
    )
    return out


def _uids(frame: pd.DataFrame, runner_up: pd.Series) -> list[Any]:
    """The record uid of each runner-up row (``nth`` keeps the original index)."""
    return frame.loc[runner_up.index, "record_uid"].tolist() if len(runner_up) else []


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["uid", "person_uid", "probability", "match_weight", "rule", "explanation"]
    )


def _level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """gamma value → label of each comparison (gamma counts down from the best level)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        mapping = {-1: "缺失"}
        for index, lv in enumerate(non_null):
            mapping[len(non_null) - 1 - index] = _zh_label(lv.get("label_for_charts", ""))
        labels[comparison["output_column_name"]] = mapping
    return labels


def _zh_label(label: str) -> str:
    if label.lower().startswith("exact"):
        return "相同"
    if label.lower().startswith("all other"):
        return "不同"
    return label


def decide(probability: float, thresholds: Thresholds = Thresholds()) -> str:
    if probability >= thresholds.auto_link:
        return "auto_linked"
    if probability >= thresholds.review:
        return "review"
    return "unmatched"


def mother_links(base: pd.DataFrame, births: pd.DataFrame) -> pd.DataFrame:
    """Birth records → the mother's person: her ID (exact, or one typo when her name's sound
    or the flat agrees), else her name's sound at the newborn's flat. ``births`` has uid, mother_name,
    mother_id_number, address_key; returns uid, mother_uid, rule."""
    frame = births.loc[:, ["uid", "mother_name", "mother_id_number", "address_key"]].copy()
    frame["mother_sound"] = frame["mother_name"].map(lambda n: name_sound_key(n) if n else None)
    con = duckdb.connect()
    con.register("b", frame)
    con.register(
        "p", base.loc[:, ["uid", "id_number", "id14", "id_tail", "sound", "address_key", "sex"]]
    )
    found = con.execute(
        """
        with candidates as (
            select b.uid, p.uid as mother_uid, 1 as rank, 'mother_id' as rule
            from b join p on p.id_number = b.mother_id_number
            union all
            select b.uid, p.uid, 2, 'mother_id_typo' from b join p
              on p.id14 = b.mother_id_number[1:14]
             and damerau_levenshtein(p.id_number, b.mother_id_number) = 1
             and (p.sound = b.mother_sound or p.address_key = b.address_key)
            union all
            select b.uid, p.uid, 2, 'mother_id_typo' from b join p
              on p.id_tail = b.mother_id_number[7:18]
             and damerau_levenshtein(p.id_number, b.mother_id_number) = 1
             and (p.sound = b.mother_sound or p.address_key = b.address_key)
            union all
            select b.uid, p.uid, 3, 'mother_name_address' from b join p
              on p.address_key = b.address_key and p.sound = b.mother_sound and p.sex = 'F'
        )
        select uid, arg_min(mother_uid, rank) as mother_uid, arg_min(rule, rank) as rule
        from candidates group by uid
        """
    ).df()
    con.close()
    return found
