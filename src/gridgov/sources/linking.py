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
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink import comparison_library as cl
from splink.internals.comparison_level_library import _translate_sql_string

from gridgov.sources.explain import COMPARISONS, EXACT_ID, level_key
from gridgov.sources.features import COLUMNS as COLUMNS  # re-exported: the linking API
from gridgov.sources.features import prepare as prepare
from gridgov.sources.normalise import name_sound_key

AUTO_LINK = 0.99
# A record whose two best candidates are this close (match weight) is a twin's: review it.
AMBIGUOUS_MARGIN = 3.0
REVIEW = 0.5

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
    match_weight, rule, explanation); ``model``: the trained Splink model (JSON dict);
    ``seconds``: wall time of each step (exact, train, predict)."""

    links: pd.DataFrame
    model: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)


# What Splink reads of a prepared frame (``_pos``: the row's place, for a stable choice).
INPUT_COLUMNS = (
    *COLUMNS, "surname", "sound", "swapped", "name_wild", "id_valid", "id14", "id_tail",
    "birth_year",
)  # fmt: skip
SPARK_SCHEMA = (
    ", ".join(f"{c} {'boolean' if c == 'id_valid' else 'string'}" for c in INPUT_COLUMNS)
    + ", _pos long"
)
# DuckDB: a pipeline keeps no row order it does not need (less memory in joins and sorts).
DUCKDB_CONFIG: dict[str, str | bool | int | float | list[str]] = {"preserve_insertion_order": False}


def exact_links(base: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Records whose valid ID is in the base, corroborated by name sound or birth date."""
    with _tables(base, records) as con:
        return _exact(con)


def _exact(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The exact rule in SQL over the tables ``base`` and ``records``; also leaves the table
    ``rest``: the records it did not decide."""
    con.execute(
        """
        create temp table exact as
        select r.uid, arg_min(b.uid, b._pos) as person_uid
        from records r join base b on b.id_number = r.id_number
        where r.id_valid and (r.sound = b.sound or r.birth_date = b.birth_date)
        group by r.uid
        """
    )
    con.execute(
        "create temp table rest as select r.* from records r anti join exact e on e.uid = r.uid"
    )
    found = con.execute("select uid, person_uid from exact order by uid").df()
    return found.assign(
        probability=1.0,
        match_weight=math.inf,
        rule="exact_id",
        explanation=[EXACT_ID] * len(found),
    )


@contextmanager
def _tables(base: pd.DataFrame, records: pd.DataFrame) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection reading the two prepared frames as ``base`` and ``records`` (Arrow,
    no copy)."""
    con = duckdb.connect(config=DUCKDB_CONFIG)
    con.execute("set enable_progress_bar = false").fetchall()  # none on a command's terminal
    for name, frame in (("base", base), ("records", records)):
        table = pa.Table.from_pandas(frame.loc[:, list(INPUT_COLUMNS)], preserve_index=False)
        con.register(name, table.append_column("_pos", pa.array(np.arange(len(frame)))))
    try:
        yield con
    finally:
        con.close()


def link(
    base: pd.DataFrame,
    records: pd.DataFrame,
    *,
    model: dict[str, Any] | None = None,
    train: bool = True,
    engine: str = "duckdb",
) -> LinkResult:
    """Link prepared ``records`` to prepared ``base`` (both from :func:`prepare`): the exact
    rule first, Splink on ``engine`` (see :data:`ENGINES`) for the records it leaves."""
    check_engine(engine)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    with _tables(base, records) as con:
        exact = _exact(con)
        seconds["exact"] = time.perf_counter() - clock
        rest = int(con.execute("select count(*) from rest").fetchall()[0][0])
        if not rest or base.empty:
            return LinkResult(links=exact, model=model or {}, seconds=seconds)
        if model is None or train:
            clock = time.perf_counter()
            model = _train(con, engine)
            seconds["train"] = time.perf_counter() - clock
        clock = time.perf_counter()
        scored = _predict(con, model, engine)
        seconds["predict"] = time.perf_counter() - clock
    links = pd.concat([exact, scored], ignore_index=True) if len(scored) else exact
    return LinkResult(links=links, model=model, seconds=seconds)


def check_engine(engine: str) -> None:
    """Refuse an unknown engine, or Spark where pyspark or Java is missing, before any work."""
    if engine not in ENGINES:
        raise EngineUnavailable(f"unknown linking engine {engine!r} (one of {', '.join(ENGINES)})")
    if engine == "spark":
        if find_spec("pyspark") is None:
            raise EngineUnavailable(f"pyspark is not installed: {SPARK_NEEDS}")
        if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
            raise EngineUnavailable(f"no Java runtime found: {SPARK_NEEDS}")


def _linker(
    model: dict[str, Any], con: duckdb.DuckDBPyConnection, records: str, engine: str
) -> Any:
    """A Splink linker of the table ``records`` to ``base`` of ``con``, run on ``engine``."""
    aliases = ["records", "base"]
    if engine == "spark":
        spark = spark_session()
        tables = [spark.createDataFrame(con.table(t).df(), SPARK_SCHEMA) for t in (records, "base")]
        return Linker(tables, spark_model(model), splink_spark_api(spark),
                      set_up_basic_logging=False, input_table_aliases=aliases)  # fmt: skip
    return Linker([records, "base"], model, DuckDBAPI(con), set_up_basic_logging=False,
                  input_table_aliases=aliases)  # fmt: skip


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
    """Estimate the model on the records (at most :data:`TRAIN_RECORDS` of them, drawn at
    random) against the base: u by random sampling, m by EM (blocked on the birth date, the
    name's sound and the ID in turn, so each comparison is trained on pairs not blocked on it).
    The model is kept in DuckDB's dialect."""
    with _tables(base, records) as con:
        return _train(con, engine)


# EM needs a fair sample, not the whole city: the pairs blocked on a birth date grow with the
# product of base and records (44 M pairs, 8 GB, for a city of a million on 1.65 M records; a
# sample of 100,000 records still gives EM 3.5 M pairs on the birth date, 2 M on the name).
TRAIN_RECORDS = 100_000


def _train(con: duckdb.DuckDBPyConnection, engine: str) -> dict[str, Any]:
    start = settings().get_settings("duckdb").as_dict()
    table = "records"
    if con.execute("select count(*) from records").fetchall()[0][0] > TRAIN_RECORDS:
        table = "training"
        con.execute(
            f"create temp table training as select * from records"
            f" using sample reservoir({TRAIN_RECORDS} rows) repeatable (1)"
        ).fetchall()
    linker = _linker(start, con, table, engine)
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


def _predict(con: duckdb.DuckDBPyConnection, model: dict[str, Any], engine: str) -> pd.DataFrame:
    """Splink on the table ``rest``: each record's best candidate, guarded, with its waterfall."""
    linker = _linker(model, con, "rest", engine)
    predicted = linker.inference.predict(threshold_match_probability=0.05)
    if engine == "duckdb":
        table = predicted.physical_name
    else:  # the pairs come home from Spark; the choice is made here, as for DuckDB
        con.register("predicted", predicted.as_pandas_dataframe())
        table = "predicted"
    frame = con.execute(_BEST.format(table=table, columns=_waterfall_columns())).df()
    if frame.empty:
        return _empty()
    ambiguous = (frame["match_weight"] - frame["second"].fillna(-math.inf)) < AMBIGUOUS_MARGIN
    probability = frame["match_probability"].astype(float).to_numpy()
    probability = np.where(ambiguous.to_numpy(), np.minimum(probability, AUTO_LINK - 0.01),
                           probability)  # fmt: skip
    return pd.DataFrame(
        {
            "uid": frame["record_uid"].to_numpy(),
            "person_uid": frame["person_uid"].to_numpy(),
            "probability": probability,
            "match_weight": frame["match_weight"].astype(float).to_numpy(),
            "rule": "splink",
            "explanation": _waterfall(frame, _level_keys(model)),
        }
    )


# Each record's best candidate (Splink puts the first input, the records, on the left in
# link_only) and the runner-up's weight. Family guard: two different valid IDs never link.
_BEST = """
with pairs as (
    select
        case when source_dataset_l = 'records' then uid_l else uid_r end as record_uid,
        case when source_dataset_l = 'records' then uid_r else uid_l end as person_uid,
        match_probability, match_weight, {columns}
    from {table}
    where not (coalesce(id_valid_l, false) and coalesce(id_valid_r, false)
               and gamma_id_number = 0)
), ranked as (
    select *, row_number() over w as rank, lead(match_weight) over w as second
    from pairs
    window w as (partition by record_uid order by match_weight desc, person_uid)
)
select * exclude (rank) from ranked where rank = 1 order by record_uid
"""


def _waterfall_columns() -> str:
    return ", ".join(f"gamma_{c}, bf_{c}" for c in COMPARISONS)


def _waterfall(frame: pd.DataFrame, levels: dict[str, dict[int, str]]) -> list[Any]:
    """Per row: each comparison's level (a key, :mod:`gridgov.sources.explain`) and weight."""
    columns = []
    for c in COMPARISONS:
        bf = frame[f"bf_{c}"].astype(float).to_numpy()
        with np.errstate(divide="ignore", invalid="ignore"):
            weight = np.where(bf > 0, np.round(np.log2(np.where(bf > 0, bf, 1.0)), 2), np.nan)
        names = [levels[c].get(int(g), "") for g in frame[f"gamma_{c}"].tolist()]
        columns.append((c, names, [None if w != w else float(w) for w in weight.tolist()]))
    return [
        [
            {"comparison": c, "level": names[i], "weight": weights[i]}
            for c, names, weights in columns
        ]
        for i in range(len(frame))
    ]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        columns=["uid", "person_uid", "probability", "match_weight", "rule", "explanation"]
    )


def _level_keys(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """gamma value → level key of each comparison (gamma counts down from the best level)."""
    keys: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        non_null = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        mapping = {-1: "missing"}
        for index, lv in enumerate(non_null):
            mapping[len(non_null) - 1 - index] = level_key(lv.get("label_for_charts", ""))
        keys[comparison["output_column_name"]] = mapping
    return keys


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
