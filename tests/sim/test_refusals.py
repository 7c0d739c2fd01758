"""The simulator's task refusals go through the phone's refusal service, some with a reason and
some without; the unreasoned ones cost the worker a point whose drill-down names the task."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.evaluation import service
from gridgov.evaluation.scoring import unreasoned
from gridgov.kit.clock import city_zone
from gridgov.models.audit import AuditEntry
from gridgov.models.task import Task
from gridgov.sim import refusals
from tests.auth.test_pages import web_login
from tests.evaluation.month import GRID_A, GRID_B
from tests.factories import create_user

WEEK = (date(2026, 11, 2), date(2026, 11, 6))  # Monday to Friday: duty days


def test_simulated_refusals_show_in_the_workers_drill_down(client: TestClient, db: Session) -> None:
    workers = {
        grid: create_user(db, role=Role.GRID_WORKER, region_code=grid) for grid in (GRID_A, GRID_B)
    }
    db.commit()
    made = refusals.simulate(db, start=WEEK[0], end=WEEK[1])
    db.commit()
    assert (made.total, made.unreasoned) == (2, 1)
    refused = db.scalars(select(Task).where(Task.state == "refused").order_by(Task.id)).all()
    assert len(refused) == 2
    for task in refused:
        # Refused by the grid's own worker, through the service (in the trail), on a duty day.
        assert task.refused_by == workers[task.grid_code].id and task.kind == "home_visit"
        entry = db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "task.refuse", AuditEntry.object_id == str(task.id)
            )
        ).one()
        assert entry.channel == "field"
        assert task.refused_at is not None
        assert WEEK[0] <= task.refused_at.astimezone(city_zone()).date() <= WEEK[1]
    bare = next(t for t in refused if unreasoned(t.refusal_reason, t.refusal_note))
    reasoned = next(t for t in refused if t is not bare)
    assert reasoned.refusal_reason or reasoned.refusal_note

    service.score_period(db, principal=system_principal("test"), start=WEEK[0], end=WEEK[1])
    db.commit()
    refuser = next(w for w in workers.values() if w.id == bare.refused_by)
    web_login(client, refuser.username)
    page = client.get(
        "/evaluation/points",
        params={"subject_type": "person", "subject_id": str(refuser.id), "month": "2026-11"},
    )
    assert page.status_code == 200
    assert f"任务 #{bare.id}「{bare.title}」，拒绝时未说明理由" in page.text
    assert f"任务 #{reasoned.id}" not in page.text

    # The same run again changes nothing.
    tasks_before = db.scalar(select(func.count(Task.id)))
    refusals.simulate(db, start=WEEK[0], end=WEEK[1])
    db.commit()
    assert db.scalar(select(func.count(Task.id))) == tasks_before
