"""`gridgov ledgers …` as an operator runs it, on a fresh database with a small city."""

from __future__ import annotations

from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from gridgov.cli import app
from gridgov.models import Facility

runner = CliRunner()


def invoke(url: str, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"GRIDGOV_DATABASE_URL": url, "GRIDGOV_MODE": "test"})


def test_refresh_make_and_camera_stream(fresh_database_url, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    url = str(fresh_database_url("sqlite"))
    assert invoke(url, "sim", "city", "--grids", "12", "--seed", "3").exit_code == 0
    assert invoke(url, "sim", "cases", "--count", "200", "--days", "5").exit_code == 0
    result = invoke(url, "ledgers", "refresh")
    assert result.exit_code == 0, result.output
    assert "open-case rows" in result.output
    out = tmp_path / "population.xlsx"
    result = invoke(url, "ledgers", "make", "population", "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][0] == "网格人口统计台账" and len(rows) == 3 + 12
    engine = create_engine(url)
    with engine.connect() as conn:
        camera = conn.scalar(select(Facility.code).where(Facility.kind == "camera"))
    assert camera is not None
    stream = "https://video.example/live/cam.m3u8"
    assert invoke(url, "ledgers", "camera-stream", camera, stream).exit_code == 0
    refused = invoke(url, "ledgers", "camera-stream", camera, "rtsp://x")
    assert refused.exit_code != 0
    with engine.connect() as conn:
        stored = conn.scalar(select(Facility.stream_url).where(Facility.code == camera))
    engine.dispose()
    assert stored == stream
