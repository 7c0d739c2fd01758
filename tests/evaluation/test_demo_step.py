"""The demo step scores the last 30 days into the demo database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rich.console import Console
from sqlalchemy import func, select

from gridgov.config import get_settings
from gridgov.kit.db import job_session, reset_engine
from gridgov.models.evaluation import EvaluationPoint
from gridgov.sim import scores
from tests.evaluation.month import Month


def test_demo_step_scores_a_month(fresh_database_url, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", fresh_database_url("sqlite"))
    get_settings.cache_clear()
    reset_engine()
    try:
        with job_session() as session:
            Month(session)
        # "Today" is 1 January 2027: the step scores 2–31 December.
        monkeypatch.setattr(scores, "utcnow", lambda: datetime(2027, 1, 1, 4, tzinfo=UTC))
        console = Console(record=True, width=200)
        scores.demo_step(console)
        text = console.export_text()
        with job_session() as session:
            stored = session.scalar(select(func.count()).select_from(EvaluationPoint))
        assert f"{stored} points, " in text and "2 grid workers" in text
        assert "best department GA 100.2, last HW 96.1" in text
    finally:
        get_settings.cache_clear()
        reset_engine()
