"""Diversions (准入): a grid worker reports from the phone that a department pulled them into work
that was not admitted; the evaluation deducts from that department, for every hour begun, on the
day the report arrived, with a drill-down to the report; the diverted minutes count as the
worker's patrol time of the day. Numbers computed by hand below."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.evaluation import service
from gridgov.evaluation.schemas import PointsOf
from gridgov.models.evaluation import EvaluationPoint
from gridgov.models.lifecycle_admission import DiversionReport
from gridgov.models.patrol import Patrol
from tests.auth.test_pages import web_login
from tests.evaluation.month import CST, GRID_A
from tests.factories import auth_headers, create_user

# November: the reports must lie in the past of the real clock.
MONTH = (date(2026, 11, 1), date(2026, 11, 30))
LEADER = Principal(user_id=900001, username="leader-test", role=Role.LEADER)


def _report(client: TestClient, headers: dict[str, str], **body: object) -> DiversionReport:
    answer = client.post("/api/v1/lifecycle/diversions", json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _received(db: Session, report_id: int, moment: datetime) -> None:
    """Pin when the report reached the server (the phone may sync days later)."""
    db.get_one(DiversionReport, report_id).created_at = moment.astimezone(UTC)


def _score(db: Session, department: str) -> service.Score:
    found = service.scores(
        db, principal=LEADER, subject_type="department", start=MONTH[0], end=MONTH[1],
        everyone=True,
    )  # fmt: skip
    return next(s for s in found if s.subject_id == department)


def test_a_department_that_diverts_a_worker_loses_points_per_hour_begun(
    client: TestClient, db: Session
) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    db.commit()
    phone = auth_headers(client, worker)
    # 民政局 (MZ): 90 minutes on 2 Nov (2 hours begun) and 45 minutes on 3 Nov (1 hour), both
    # reported on 3 Nov; 公安局 (GA): 240 minutes (4 hours) reported on 9 Nov; a neighbourhood
    # committee named in words only: counted for the admission office, against no department.
    mz_long = _report(client, phone, day="2026-11-02", minutes=90, department_code="MZ",
                      description="低保入户调查（未准入）")  # fmt: skip
    mz_short = _report(client, phone, day="2026-11-03", minutes=45, department_code="MZ",
                       description="发放宣传册")  # fmt: skip
    ga = _report(client, phone, day="2026-11-09", minutes=240, department_code="GA",
                 description="协助排查出租屋")  # fmt: skip
    words = _report(client, phone, day="2026-11-09", minutes=60, requested_by="某小区业委会",
                    description="布置会场")  # fmt: skip
    assert mz_long["requested_by"] == "民政局" and words["department_code"] is None
    refused = client.post(
        "/api/v1/lifecycle/diversions",
        json={"day": "2026-11-09", "minutes": 30, "department_code": "NOPE", "description": "x"},
        headers=phone,
    )
    assert refused.status_code == 400 and refused.json()["field"] == "department_code"
    for report, moment in (
        (mz_long, datetime(2026, 11, 3, 8, 30, tzinfo=CST)),
        (mz_short, datetime(2026, 11, 3, 23, 59, tzinfo=CST)),
        (ga, datetime(2026, 11, 10, 0, 5, tzinfo=CST)),  # synced after midnight: the 10th
        (words, datetime(2026, 11, 10, 0, 5, tzinfo=CST)),
    ):
        _received(db, int(report["id"]), moment)  # type: ignore[call-overload]
    db.commit()

    service.score_period(db, principal=system_principal("test"), start=MONTH[0], end=MONTH[1])
    # MZ: −0.5 × 2 − 0.5 × 1 = −1.5 → 98.5; GA: −0.5 × 4 = −2.0 → 98.0.
    mz, police = _score(db, "MZ"), _score(db, "GA")
    assert (mz.total, mz.deductions, mz.points) == (98.5, -1.5, 2)
    assert (police.total, police.deductions, police.points) == (98.0, -2.0, 1)
    points = {
        (p.day, p.object_id, p.points)
        for p in db.scalars(select(EvaluationPoint).where(EvaluationPoint.event == "work_diverted"))
    }
    assert points == {
        (date(2026, 11, 3), str(mz_long["id"]), -1.0),  # type: ignore[index]
        (date(2026, 11, 3), str(mz_short["id"]), -0.5),  # type: ignore[index]
        (date(2026, 11, 10), str(ga["id"]), -2.0),  # type: ignore[index]
    }
    # Deterministic: scoring again gives the same keys and points.
    before = sorted((p.key, p.points) for p in db.scalars(select(EvaluationPoint)))
    service.score_period(db, principal=system_principal("test"), start=MONTH[0], end=MONTH[1])
    assert sorted((p.key, p.points) for p in db.scalars(select(EvaluationPoint))) == before

    # Drill-down: the department's points name the report, the day, the minutes and the work.
    db.commit()
    leader = create_user(db, role=Role.LEADER)
    db.commit()
    web_login(client, leader.username)
    page = client.get(
        "/evaluation/points",
        params={"subject_type": "department", "subject_id": "MZ", "month": "2026-11"},
    )
    assert page.status_code == 200
    row = page.text.split(f"抽调报告 #{mz_long['id']}")[1].split("</tr>")[0]  # type: ignore[index]
    assert "2026-11-02" in row and "90 分钟（计 2 小时）" in row and "低保入户调查" in row
    assert "抽调网格员从事未准入工作" in page.text


def _patrol(db: Session, user_id: int, day: date, minutes: int) -> None:
    started = datetime(day.year, day.month, day.day, 8, tzinfo=CST)
    db.add(
        Patrol(
            uuid=str(uuid.uuid4()),
            user_id=user_id,
            grid_code=GRID_A,
            day=day,
            started_at=started,
            ended_at=started + timedelta(hours=4),
            seconds_inside=minutes * 60,
        )
    )


def _patrol_points(db: Session, user_id: int) -> dict[date, dict[str, object]]:
    return {
        p.day: dict(p.detail or {})
        for p in db.scalars(
            select(EvaluationPoint).where(
                EvaluationPoint.event == "patrol_short",
                EvaluationPoint.subject_id == str(user_id),
            )
        )
    }


def test_diverted_minutes_count_as_patrol_time_even_when_reported_after_the_scoring(
    client: TestClient, db: Session
) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    tuesday, wednesday = date(2026, 11, 10), date(2026, 11, 11)  # duty days, 180 min each
    _patrol(db, worker.id, tuesday, 170)
    _patrol(db, worker.id, wednesday, 100)
    db.commit()
    for day in (tuesday, wednesday):
        service.score_day(db, principal=system_principal("test"), day=day)
    assert _patrol_points(db, worker.id) == {
        tuesday: {"minutes_inside": 170, "required_minutes": 180},
        wednesday: {"minutes_inside": 100, "required_minutes": 180},
    }
    db.commit()
    # Days later the worker reports from the phone: 60 minutes on Tuesday (170 + 60 ≥ 180: the
    # day is scored again and the deduction goes), 30 on Wednesday (100 + 30 < 180: still short,
    # the drill-down shows the 30 minutes).
    phone = auth_headers(client, worker)
    _report(client, phone, day="2026-11-10", minutes=60, department_code="GA",
            description="协助排查出租屋")  # fmt: skip
    report = _report(client, phone, day="2026-11-11", minutes=30, requested_by="社区居委会",
                     description="整理台账")  # fmt: skip
    assert _patrol_points(db, worker.id) == {
        wednesday: {
            "minutes_inside": 100,
            "required_minutes": 180,
            "minutes_diverted": 30,
            "diversions": [
                {"id": report["id"], "minutes": 30, "requested_by": "社区居委会",  # type: ignore[index]
                 "description": "整理台账"},
            ],
        },
    }  # fmt: skip
    mine = service.points(
        db, principal=LEADER, wanted=PointsOf("person", str(worker.id), MONTH[0], MONTH[1])
    )
    assert [(p.event, p.day, p.points) for p in mine] == [("patrol_short", wednesday, -1.0)]


def test_two_hours_patrolled_and_90_minutes_reported_diverted_are_no_shortfall(
    client: TestClient, db: Session
) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    colleague = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    thursday, friday = date(2026, 11, 12), date(2026, 11, 13)  # duty days, 180 min each
    for user in (worker, colleague):
        _patrol(db, user.id, thursday, 120)
    _patrol(db, worker.id, friday, 60)
    db.commit()
    phone = auth_headers(client, worker)
    _report(client, phone, day="2026-11-12", minutes=90, department_code="MZ",
            description="低保入户调查（未准入）")  # fmt: skip
    friday_report = _report(client, phone, day="2026-11-13", minutes=90, department_code="GA",
                            description="协助排查出租屋")  # fmt: skip
    for day in (thursday, friday):
        service.score_day(db, principal=system_principal("test"), day=day)
    db.commit()
    # 120 + 90 ≥ 180: the worker's Thursday is no shortfall; the colleague's, unreported, is.
    # Friday, 60 + 90 < 180, is still short: its point names the report.
    assert set(_patrol_points(db, worker.id)) == {friday}
    assert _patrol_points(db, colleague.id)[thursday] == {
        "minutes_inside": 120,
        "required_minutes": 180,
    }
    web_login(client, worker.username)
    page = client.get(
        "/evaluation/points",
        params={"subject_type": "person", "subject_id": str(worker.id), "month": "2026-11"},
    )
    assert page.status_code == 200
    row = page.text.split('data-event="patrol_short"')[1].split("</tr>")[0]
    assert "本网格巡查 60 分钟（应 180 分钟），报告被抽调 90 分钟" in row
    assert f"抽调报告 #{friday_report['id']}：公安局 · 90 分钟 · 协助排查出租屋" in row  # type: ignore[index]
