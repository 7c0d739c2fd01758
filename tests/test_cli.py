"""The ``gridgov`` command line, run as a user would (fresh databases per test)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.models import Assignment, Region, Staff
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.population_stats import GridPopulationStats

runner = CliRunner()


def invoke(url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"GRIDGOV_DATABASE_URL": url, "GRIDGOV_MODE": "test"})


def count(url: str, *where) -> int:  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.scalar(select(func.count()).select_from(Region).where(*where))
    engine.dispose()
    return int(value or 0)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "sim", "serve", "demo", "grids"):
        assert command in result.output


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    result = invoke(url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert count(url) == 0


@pytest.fixture
def small_city(fresh_database_url) -> str:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    result = invoke(url, "sim", "city", "--grids", "40", "--seed", "3", "--no-population")
    assert result.exit_code == 0, result.output
    assert "40 grids" in result.output
    return str(url)


def test_sim_city_is_refused_on_a_database_with_a_city(small_city: str) -> None:
    result = invoke(small_city, "sim", "city", "--grids", "10", "--no-population")
    assert result.exit_code == 1
    assert "empty" in result.output


def test_export_then_import_into_an_empty_database(
    small_city: str, fresh_database_url, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    exported = tmp_path / "city.geojson"
    result = invoke(small_city, "grids", "export", str(exported))
    assert result.exit_code == 0, result.output
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["type"] == "FeatureCollection"

    empty = fresh_database_url("sqlite")
    result = invoke(empty, "grids", "import", str(exported))
    assert result.exit_code == 0, result.output
    assert f"{len(document['features'])} created" in result.output
    assert count(empty, Region.level == "grid") == 40
    assert count(empty, Region.layer == "commerce") == count(small_city, Region.layer == "commerce")


def test_import_of_a_broken_file_names_the_problem_and_changes_nothing(
    small_city: str, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"code": "4205020010010XX", "name": "坏网格"},
                        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    before = count(small_city)
    result = invoke(small_city, "grids", "import", str(broken))
    assert result.exit_code == 1
    assert "Malformed code" in result.output
    assert count(small_city) == before

    not_json = tmp_path / "not.json"
    not_json.write_text("{oops", encoding="utf-8")
    result = invoke(small_city, "grids", "import", str(not_json))
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_assign_keeps_the_history(small_city: str) -> None:
    engine = create_engine(small_city)
    with engine.connect() as conn:
        grid_a, grid_b = conn.scalars(
            select(Region.code).where(Region.level == "grid").order_by(Region.code).limit(2)
        ).all()
        worker_b = conn.scalar(
            select(Staff.staff_no)
            .join(Assignment, Assignment.staff_id == Staff.id)
            .join(Region, Region.id == Assignment.region_id)
            .where(Region.code == grid_b)
        )
    result = invoke(small_city, "grids", "assign", grid_a, str(worker_b), "--reason", "调岗")
    assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        rows = conn.execute(
            select(Region.code, Assignment.ended_at, Staff.staff_no)
            .join(Assignment, Assignment.region_id == Region.id)
            .join(Staff, Staff.id == Assignment.staff_id)
            .where(Region.code.in_([grid_a, grid_b]))
        ).all()
    engine.dispose()
    open_rows = {(code, staff) for code, ended, staff in rows if ended is None}
    closed = [(code, staff) for code, ended, staff in rows if ended is not None]
    assert (grid_a, worker_b) in open_rows
    assert all(code != grid_b for code, _ in open_rows)  # grid b is vacant now
    assert len(closed) == 2  # a's old worker and b's old assignment are history

    result = invoke(small_city, "grids", "assign", grid_a, "NOBODY", "--reason", "x")
    assert result.exit_code == 1
    assert "does not exist" in result.output


def test_sim_cases_fills_the_loop(small_city: str) -> None:
    result = invoke(small_city, "sim", "cases", "--count", "60", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "60 cases" in result.output
    assert "closed" in result.output


def test_stats_refresh_counts_people_who_turned_sixty(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    """Ages change without writes: the daily refresh picks up a resident who became elderly."""
    url = fresh_database_url("sqlite")
    assert invoke(url, "sim", "city", "--grids", "4", "--seed", "8").exit_code == 0
    today = date.today()
    engine = create_engine(url)
    with Session(engine) as session:
        young = session.scalars(
            select(Person)
            .where(Person.birth_date > today.replace(year=today.year - 50))
            .order_by(Person.id)
        ).first()
        assert young is not None
        grid = young.grid_code
        stats = session.get(GridPopulationStats, grid)
        assert stats is not None
        before = stats.elderly
        # Out of band, as time does it: the resident is now 61.
        session.execute(
            update(Person)
            .where(Person.id == young.id)
            .values(birth_date=today.replace(year=today.year - 61, day=1))
        )
        session.commit()
    result = invoke(url, "stats", "refresh", "--grid", grid)
    assert result.exit_code == 0, result.output
    assert "1 grid statistics refreshed" in result.output
    with Session(engine) as session:
        stats = session.get(GridPopulationStats, grid)
        assert stats is not None and stats.elderly == before + 1
    engine.dispose()


def test_demo_builds_everything_once_then_serves(
    fresh_database_url, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import gridgov.cli

    url = fresh_database_url("sqlite")
    served: list[tuple[str, int]] = []
    monkeypatch.setattr(
        gridgov.cli, "serve", lambda host, port, workers: served.append((host, port))
    )
    result = invoke(url, "demo", "--grids", "8", "--cases", "40", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert served == [("127.0.0.1", 8123)]
    for role in ("grid_worker", "dispatcher", "auditor"):
        assert role in result.output
    assert "patrol points" in result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Patrol)) > 0
        assert conn.scalar(select(func.count()).select_from(Person)) > 0
    engine.dispose()
    again = invoke(url, "demo", "--grids", "8", "--port", "8123")
    assert again.exit_code == 0, again.output
    assert "patrol points" not in again.output  # the city and its history are built once
