"""The demo step scores the last 30 days into the demo database."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rich.console import Console
from sqlalchemy import func, select

from gridgov.config import get_settings
from gridgov.evaluation.scoring import unreasoned
from gridgov.kit.db import job_session, reset_engine
from gridgov.models.evaluation import EvaluationPoint
from gridgov.models.task import Task
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
        # A few refusals (one per worker of two): one without a reason costs its worker a
        # point whose drill-down names the task; the other has its reason and costs nothing.
        assert "2 task refusals, 1 without a reason" in text
        with job_session() as session:
            refused = session.scalars(select(Task).where(Task.state == "refused")).all()
            points = session.scalars(
                select(EvaluationPoint).where(EvaluationPoint.event == "task_refused_unreasoned")
            ).all()
            assert len(refused) == 2 and len(points) == 1
            bare = next(t for t in refused if str(t.id) == points[0].object_id)
            assert unreasoned(bare.refusal_reason, bare.refusal_note)
            assert points[0].subject_id == str(bare.refused_by) and points[0].points < 0
            assert points[0].detail["task_title"] == bare.title
            assert date(2026, 12, 2) <= points[0].day <= date(2026, 12, 31)
    finally:
        get_settings.cache_clear()
        reset_engine()
