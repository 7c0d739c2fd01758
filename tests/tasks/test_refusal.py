"""A grid worker refuses tasks (API and trail); the evaluation deducts only for the refusals
without any reason, with a drill-down to the task, by the rules version in force that day."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.evaluation import rules, service
from gridgov.evaluation.schemas import PointsOf
from gridgov.models.audit import AuditEntry
from gridgov.tasks import service as tasks
from tests.factories import auth_headers, create_user

# 10 and 11 December 2026, 10:00 in Beijing.
DAY_1, DAY_2 = date(2026, 12, 10), date(2026, 12, 11)
LEADER = Principal(user_id=900001, username="leader-test", role=Role.LEADER)


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)


def _task(client: TestClient, staff: dict[str, str], grid_code: str, title: str) -> int:
    body = {"kind": "home_visit", "title": title, "grid_code": grid_code}
    created = client.post("/api/v1/tasks", json=body, headers=staff)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _refuse(client: TestClient, headers: dict[str, str], task_id: int, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/tasks/{task_id}/refuse", json=body, headers=headers)


def test_refusals_and_the_points_they_cost(
    client: TestClient,
    db: Session,
    grid: Any,
    worker: Any,
    worker_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = auth_headers(
        client, create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    )
    ids = [_task(client, staff, grid.code, f"走访 {n}") for n in range(6)]

    # Day 1 (rules version 0, −1 each): a reason code; a note alone; nothing at all.
    monkeypatch.setattr(tasks, "utcnow", lambda: _moment(DAY_1))
    coded = _refuse(client, worker_headers, ids[0], {"reason": "not_my_grid"})
    assert coded.status_code == 200, coded.text
    assert (coded.json()["state"], coded.json()["refusal_reason"]) == ("refused", "not_my_grid")
    assert _refuse(client, worker_headers, ids[1], {"note": "该户已搬离"}).status_code == 200
    bare = _refuse(client, worker_headers, ids[2], {})
    assert bare.status_code == 200 and bare.json()["refusal_reason"] is None
    # Refusing again is a no-op; an unknown code is refused with its name.
    assert _refuse(client, worker_headers, ids[2], {}).status_code == 200
    unknown = _refuse(client, worker_headers, ids[3], {"reason": "tired"})
    assert unknown.status_code == 400 and "tired" in unknown.text
    # A refused task leaves the worker's list; staff still read it.
    listed = {t["id"] for t in client.get("/api/v1/tasks", headers=worker_headers).json()}
    assert listed == {ids[3], ids[4], ids[5]}
    assert client.get(f"/api/v1/tasks/{ids[2]}", headers=staff).json()["state"] == "refused"
    # Staff do not refuse for the worker.
    assert _refuse(client, staff, ids[3], {}).status_code == 403

    # From day 2 the centre weighs an unexplained refusal −2.5 (rules version 1).
    stricter = rules.default_text().replace(
        'event = "task_refused_unreasoned"  # 无理由拒绝任务\nperson = -1.0',
        'event = "task_refused_unreasoned"\nperson = -2.5',
    )
    service.save_rules(db, principal=LEADER, text=stricter, effective_from=DAY_2)
    # Day 2: "other" without a note explains nothing; an accepted task refused bare; a blank note.
    monkeypatch.setattr(tasks, "utcnow", lambda: _moment(DAY_2))
    assert _refuse(client, worker_headers, ids[3], {"reason": "other"}).status_code == 200
    assert client.post(f"/api/v1/tasks/{ids[4]}/accept", headers=worker_headers).status_code == 200
    assert _refuse(client, worker_headers, ids[4], {"note": "   "}).status_code == 200
    assert (
        _refuse(client, worker_headers, ids[5], {"reason": "other", "note": "重复"}).json()["state"]
        == "refused"
    )
    # The same worker refusing a refused task again changes nothing (a queued resend).
    again_refused = _refuse(client, worker_headers, ids[0], {"reason": "duplicate"})
    assert again_refused.json()["refusal_reason"] == "not_my_grid"

    job = system_principal("evaluation.daily")
    service.score_period(db, principal=job, start=DAY_1, end=DAY_2)
    db.commit()
    found = service.points(
        db, principal=LEADER, wanted=PointsOf("person", str(worker.id), DAY_1, DAY_2)
    )
    refusals = sorted(
        (
            (p.day, p.object_id, p.points, p.rule_version)
            for p in found
            if p.event == "task_refused_unreasoned"
        ),
        key=lambda row: (row[0], int(row[1] or 0)),  # ids as numbers: "10" after "9"
    )
    # By hand: day 1 one bare refusal (−1, v0); day 2 "other" alone and the blank note
    # (−2.5 each, v1); and no patrol on either duty day (Thursday, Friday: −1 each):
    # 100 − 1 − 5 − 2 = 92.
    assert refusals == [
        (DAY_1, str(ids[2]), -1.0, 0),
        (DAY_2, str(ids[3]), -2.5, 1),
        (DAY_2, str(ids[4]), -2.5, 1),
    ]
    scores = service.scores(
        db, principal=LEADER, subject_type="person", start=DAY_1, end=DAY_2, everyone=True
    )
    assert sorted(p.event for p in found if p.event != "task_refused_unreasoned") == [
        "patrol_short",
        "patrol_short",
    ]
    assert next(s for s in scores if s.subject_id == str(worker.id)).total == 92.0
    # Drill-down: the point names the task and when it was refused.
    point = next(p for p in found if p.object_id == str(ids[2]))
    assert point.detail is not None and point.detail["task_title"] == "走访 2"
    assert point.detail["refused_at"].startswith("2026-12-10T02:00")
    # Scoring again gives the same points.
    service.score_period(db, principal=job, start=DAY_1, end=DAY_2)
    again = service.points(
        db, principal=LEADER, wanted=PointsOf("person", str(worker.id), DAY_1, DAY_2)
    )
    assert sorted(p.key for p in again) == sorted(p.key for p in found)

    # The trail holds every refusal with its reason and note.
    entries = db.execute(
        select(AuditEntry.object_id, AuditEntry.after, AuditEntry.note)
        .where(AuditEntry.action == "task.refuse")
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.object_id, e.after["reason"], e.note) for e in entries] == [
        (str(ids[0]), "not_my_grid", None),
        (str(ids[1]), None, "该户已搬离"),
        (str(ids[2]), None, None),
        (str(ids[3]), "other", None),
        (str(ids[4]), None, None),
        (str(ids[5]), "other", "重复"),
    ]


def test_the_drill_down_page_shows_the_refused_task(
    client: TestClient,
    db: Session,
    grid: Any,
    worker: Any,
    worker_headers: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = auth_headers(
        client, create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    )
    task_id = _task(client, staff, grid.code, "核实出租屋")
    monkeypatch.setattr(tasks, "utcnow", lambda: _moment(DAY_1))
    assert _refuse(client, worker_headers, task_id, {}).status_code == 200
    service.score_day(db, principal=system_principal("test"), day=DAY_1)
    db.commit()
    page = client.get(
        "/evaluation/points",
        params={"subject_type": "person", "subject_id": str(worker.id), "month": "2026-12"},
        headers=worker_headers,
    )
    assert page.status_code == 200
    assert "无理由拒绝任务" in page.text and f"任务 #{task_id}「核实出租屋」" in page.text
    assert "-1.0" in page.text
