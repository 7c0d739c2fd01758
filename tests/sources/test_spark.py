"""The Spark engine (``--engine spark``): the same model on Splink's Spark backend, and a clear
error naming what to install where pyspark or Java is missing."""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

import pytest
import sqlglot
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.authz.principal import Principal
from gridgov.cli import app
from gridgov.models.source import SourceLink
from gridgov.sources import linking
from gridgov.sources.reconcile import reconcile, stored_model
from gridgov.sources.service import load_rows
from tests.people.conftest import grids
from tests.sources.conftest import register
from tests.sources.test_linking import FATHER, TWIN1, TWIN2, _frame

__all__ = ["grids"]


def _town() -> tuple[Any, Any]:
    base = _frame(
        [
            ("p1", "刘建国", "M", "1960-05-01", FATHER, "13800001234"),
            ("p2", "刘明", "M", "1990-08-08", TWIN1, "13800001234"),
            ("p3", "刘亮", "M", "1990-08-08", TWIN2, "13800001234"),
        ]
    )
    records = _frame(
        [
            ("r1", "刘明", "M", "1990-08-08", FATHER, "13800001234"),  # a relative's ID
            (
                "r4",
                "牛亮",
                "M",
                "1990-08-08",
                TWIN2[:12] + TWIN2[13] + TWIN2[12] + TWIN2[14:],
                None,
            ),
        ]
    )
    return linking.prepare(base), linking.prepare(records)


def test_without_pyspark_or_java_the_spark_engine_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, db: Session, grids: list[str], system: Principal
) -> None:
    base, records = _town()
    monkeypatch.setattr(linking, "find_spec", lambda name: None)
    with pytest.raises(linking.EngineUnavailable) as missing:
        linking.link(base, records, model=stored_model(), train=False, engine="spark")
    assert "pyspark" in str(missing.value) and "Java 17" in str(missing.value)

    monkeypatch.setattr(linking, "find_spec", lambda name: object())
    monkeypatch.setattr(linking.shutil, "which", lambda name: None)
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(linking.EngineUnavailable, match="no Java runtime"):
        linking.link(base, records, model=stored_model(), train=False, engine="spark")
    with pytest.raises(linking.EngineUnavailable, match="unknown linking engine"):
        linking.link(base, records, engine="hadoop")

    # A run asked to use Spark refuses before deciding anything.
    source, _ = register(db, "police_hukou")
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, {"RYBH": "P1", "XM": "刘明", "GMSFHM": TWIN1})])  # fmt: skip
    with pytest.raises(linking.EngineUnavailable):
        reconcile(db, principal=system, sources=[source], train=False, engine="spark")
    assert db.scalar(select(func.count()).select_from(SourceLink)) == 0

    result = CliRunner().invoke(app, ["sources", "reconcile", "--engine", "spark"])
    assert result.exit_code == 2 and "pip install" in result.output, result.output


def test_the_model_in_spark_sql_keeps_no_duckdb_only_function() -> None:
    model = stored_model()
    assert model is not None
    spark = linking.spark_model(model)
    assert spark["sql_dialect"] == "spark" and model["sql_dialect"] == "duckdb"
    conditions = [
        level["sql_condition"]
        for comparison in spark["comparisons"]
        for level in comparison["comparison_levels"]
    ]
    text = " ".join(conditions)
    for duckdb_only in ("strftime", "jaro_winkler_similarity", "JAROWINKLER", "datediff('day'"):
        assert duckdb_only not in text
    assert "jaro_winkler(sound_l, sound_r)" in text and "DATE_FORMAT(" in text
    for condition in conditions:
        if condition != "ELSE":
            sqlglot.parse_one(f"SELECT CASE WHEN {condition} THEN 1 END", read="spark")
    # The levels, their order and their parameters are the model's own.
    assert [len(c["comparison_levels"]) for c in spark["comparisons"]] == [
        len(c["comparison_levels"]) for c in model["comparisons"]
    ]


@pytest.mark.skipif(find_spec("pyspark") is None, reason="pyspark is not installed")
def test_spark_engine_links_a_small_town_like_duckdb(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local Spark (``local[*]``) runs Splink's Spark backend on the same model."""
    made: list[Any] = []
    original = linking.splink_spark_api

    def recording(spark: Any) -> Any:
        made.append(original(spark))
        return made[-1]

    monkeypatch.setattr(linking, "splink_spark_api", recording)
    base, records = _town()
    on_spark = linking.link(base, records, model=stored_model(), train=False, engine="spark")
    on_duckdb = linking.link(base, records, model=stored_model(), train=False)
    assert made and type(made[0]).__name__ == "SparkAPI"

    def best(result: linking.LinkResult) -> dict[str, tuple[str, bool]]:
        return {
            row["uid"]: (row["person_uid"], row["probability"] >= linking.AUTO_LINK)
            for row in result.links.to_dict("records")
        }

    assert best(on_spark) == best(on_duckdb)
    assert best(on_spark)["r1"] == ("p2", True) and best(on_spark)["r4"][0] == "p3"
