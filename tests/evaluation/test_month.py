"""A frozen clock, a simulated month scored night by night by the scheduled job, and the scores
of a worker and a department checked against a hand computation, including an appeal."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.evaluation import rules, service
from gridgov.evaluation.jobs import score_yesterday
from gridgov.evaluation.schemas import PointsOf
from gridgov.models.audit import AuditEntry
from gridgov.models.evaluation import EvaluationPoint
from tests.evaluation.month import CST, MONTH, Month

FROZEN = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)
LEADER = Principal(user_id=900001, username="leader-test", role=Role.LEADER)


@pytest.fixture
def month(db: Session, monkeypatch: pytest.MonkeyPatch) -> Month:
    monkeypatch.setattr(service, "utcnow", lambda: FROZEN)
    return Month(db)


def _run_the_month(db: Session) -> int:
    """What the scheduler does: at 02:00 every night, score the day before."""
    job = system_principal("evaluation.daily")
    total, day = 0, MONTH[0] + timedelta(days=1)
    while day <= MONTH[1] + timedelta(days=1):
        nightly = datetime.combine(day, time(2, 0), CST).astimezone(UTC)
        total += score_yesterday(db, job, nightly)
        day += timedelta(days=1)
    return total


def _score(db: Session, subject_type: str, subject_id: str) -> service.Score:
    found = service.scores(
        db,
        principal=LEADER,
        subject_type=subject_type,
        start=MONTH[0],
        end=MONTH[1],
        everyone=True,
    )
    return next(s for s in found if s.subject_id == subject_id)


def test_a_month_of_scores_with_an_appeal(db: Session, month: Month) -> None:
    # From 14 December the centre weighs a late handling -3 instead of -1.
    stricter = rules.default_text().replace(
        'event = "handle_overdue"        # 处置超期完成\ndepartment = -1.0',
        'event = "handle_overdue"\ndepartment = -3.0',
    )
    service.save_rules(db, principal=LEADER, text=stricter, effective_from=date(2026, 12, 14))
    _run_the_month(db)

    worker = str(month.worker.id)
    # Worker: patrol short on 3 and 10 Dec (-1 each), verification of case 2 due 15 Dec not
    # done that day (-2) and done late on 16 Dec (-1), a proxy service due 21 Dec done on the
    # 23rd (-1): 100 - 6 = 94.
    assert _score(db, "person", worker).total == 94.0
    # The worker of grid B patrolled every duty day: no point, 100, first.
    other = _score(db, "person", str(month.other.id))
    assert (other.total, other.points, other.rank) == (100.0, 0, 1)
    # HW: +0.2 (4 Dec) −2 not executed (11 Dec) −3 overdue (14 Dec, rules v1) +0.2 (18 Dec)
    # −1.5 rework (19 Dec) +0.2 (22 Dec) = −5.9 → 94.1. GA: +0.2 → 100.2, ranked first.
    hw = _score(db, "department", "HW")
    assert hw.total == 94.1 and hw.deductions == -6.5 and hw.credits == 0.6
    ranking = service.scores(
        db, principal=LEADER, subject_type="department", start=MONTH[0], end=MONTH[1]
    )
    # Only the departments with points, unless everyone is asked for.
    assert [(s.subject_id, s.rank) for s in ranking] == [("GA", 1), ("HW", 2)]

    # Drill-down: each point names the case step and its timestamps.
    points = service.points(db, principal=LEADER, wanted=PointsOf("department", "HW", *MONTH))
    overdue = next(p for p in points if p.event == "handle_overdue")
    assert overdue.rule_version == 1 and overdue.points == -3.0
    assert overdue.detail is not None and overdue.detail["case_number"] == "EV0002"
    assert overdue.detail["due_at"].startswith("2026-12-11T09:00")  # 17:00 in Beijing
    assert overdue.detail["finished_at"].startswith("2026-12-14T02:00")
    not_done = next(p for p in points if p.event == "handle_not_executed")
    assert not_done.day == date(2026, 12, 11) and not_done.rule_version == 0

    # Appeal: the worker was called to a district meeting on 10 Dec; the centre upholds it.
    worker_principal = Principal(
        user_id=month.worker.id,
        username=month.worker.username,
        role=Role.GRID_WORKER,
        region_code=month.worker.region_code,
    )
    mine = service.points(db, principal=worker_principal, wanted=PointsOf("person", worker, *MONTH))
    short_10 = next(p for p in mine if p.event == "patrol_short" and p.day == date(2026, 12, 10))
    assert short_10.detail == {"minutes_inside": 170, "required_minutes": 180}
    appeal = service.file_appeal(
        db,
        principal=worker_principal,
        point_id=short_10.id,
        reason="区里临时抽调参加防汛会议",
        evidence="会议通知 2026-12-10",
    )
    assert _score(db, "person", worker).total == 94.0  # pending: nothing changes yet
    service.decide_appeal(db, principal=LEADER, appeal_id=appeal.id, uphold=True, note="属实")
    assert _score(db, "person", worker).total == 95.0
    # … and a re-run of the whole month keeps the decision and gives the same points.
    before = sorted((p.key, p.points, p.waived) for p in db.scalars(select(EvaluationPoint)))
    _run_the_month(db)
    after = sorted((p.key, p.points, p.waived) for p in db.scalars(select(EvaluationPoint)))
    assert before == after
    assert _score(db, "person", worker).total == 95.0
    proxy = next(p for p in mine if p.event == "proxy_late")
    assert proxy.day == date(2026, 12, 21) and proxy.object_id == str(month.late_proxy.id)
    actions = set(
        db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "evaluation_appeal"))
    )
    assert actions == {"evaluation.appeal.file", "evaluation.appeal.decide"}
