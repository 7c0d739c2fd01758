"""Bad input at intake, step deadlines on the calendar, gateways and public tracking."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.cases import intake, service, workflow
from gridgov.cases.schemas import CaseCreate, TransitionIn
from gridgov.cases.states import Move
from gridgov.models.case import Case
from tests.cases.helpers import GRID_A, OUTSIDE, POINT_A, Users, report, utc

SYSTEM = system_principal("test")
CLERK = Principal(user_id=1, username="clerk", role=Role.INTAKE_CLERK)
LEADER = Principal(user_id=2, username="leader", role=Role.SHIFT_LEADER)


def count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Case)) or 0


def test_bad_inputs_each_get_a_clear_error_and_no_case(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    clerk = users(Role.INTAKE_CLERK)
    before = count(db)
    cases = [
        ({"category": "X9999"}, 400, "category"),
        ({"category": "E01"}, 400, "minor class"),  # a major class is not selectable
        ({"point": OUTSIDE}, 400, "outside"),
        ({"description": "长" * 4001}, 400, "4000"),
        ({"description": "<script>alert(1)</script>"}, 400, "HTML"),
        ({"description": "看这里 <a href='x'>链接</a>"}, 400, "HTML"),
        ({"description": "   "}, 400, "empty"),
        ({"channel": "open311"}, 400, "by hand"),
        ({"channel": "pigeon"}, 400, "Unknown channel"),
    ]
    for extra, status, text in cases:
        body = report(client, clerk, expect=status, **extra)
        assert text in body["message_en"], (extra, body)
        assert body["message"]  # the Chinese message
    assert count(db) == before
    assert report(client, clerk, description="温度<5度也要处理 & 快")["state"] == "reported"


def test_malformed_bodies_are_422(client: TestClient, users: Users, city: dict) -> None:
    response = client.post(
        "/api/v1/cases", json={"description": "x", "lng": "east"}, headers=users(Role.INTAKE_CLERK)
    )
    assert response.status_code == 422


def test_step_deadline_follows_the_category_and_calendar(db: Session, city: dict) -> None:
    # Exposed garbage: 4 working hours to handle. Dispatched Friday 30 Apr 2026 16:00 CST, the
    # Labour Day holiday (1–5 May) follows; Saturday 9 May is a make-up working day.
    reported = utc(2026, 4, 30, 6, 0)  # 14:00 CST
    case = intake.create_case(
        db,
        principal=CLERK,
        data=CaseCreate(category_code="E0102", description="垃圾", lng=POINT_A[0], lat=POINT_A[1]),
        channel="hotline",
        now=reported,
    ).case
    # Register within 60 working minutes → 15:00 CST.
    assert case.step_due_at == utc(2026, 4, 30, 7, 0)
    workflow.transition(
        db, principal=CLERK, case_id=case.id, move=Move.REGISTER, body=TransitionIn(), now=reported
    )
    dispatched_at = utc(2026, 4, 30, 8, 0)  # 16:00 CST
    workflow.transition(
        db,
        principal=LEADER,
        case_id=case.id,
        move=Move.DISPATCH,
        body=TransitionIn(),
        now=dispatched_at,
    )
    # 90 min on 30 Apr, holiday 1–5 May, Wed 6 May 08:30 + 150 min → 11:00 CST = 03:00 UTC.
    assert case.step_due_at == utc(2026, 5, 6, 3, 0)
    # Warning at 70% of 240 min = 168 min: 90 on 30 Apr + 78 → 09:48 CST on 6 May.
    assert case.step_warn_at == utc(2026, 5, 6, 1, 48)
    from gridgov.cases import deadlines

    assert deadlines.status(case, utc(2026, 5, 5, 12, 0)) == "ok"
    assert deadlines.status(case, utc(2026, 5, 6, 2, 0)) == "warning"
    assert deadlines.status(case, utc(2026, 5, 6, 3, 0)) == "overdue"
    assert service.overdue_ids(db, now=utc(2026, 5, 6, 3, 1)) == [case.id]
    assert service.overdue_ids(db, now=utc(2026, 5, 6, 2, 59)) == []
    # Hold pauses the clock: never overdue while held, and the time left is kept.
    workflow.transition(
        db,
        principal=LEADER,
        case_id=case.id,
        move=Move.HOLD,
        body=TransitionIn(note="等待"),
        now=utc(2026, 5, 6, 1, 0),  # 09:00 CST, 2 h left
    )
    assert service.overdue_ids(db, now=utc(2026, 6, 1)) == []
    workflow.transition(
        db,
        principal=LEADER,
        case_id=case.id,
        move=Move.RESUME,
        body=TransitionIn(),
        now=utc(2026, 5, 11, 0, 30),  # Monday 08:30 CST
    )
    assert case.state == "dispatched"
    assert case.step_due_at == utc(2026, 5, 11, 2, 30)  # 10:30 CST: the 2 h that were left


def test_deadline_into_2027_carries_a_visible_warning(db: Session, city: dict) -> None:
    now = utc(2026, 12, 31, 9, 0)  # 17:00 CST on New Year's Eve
    case = intake.create_case(
        db,
        principal=CLERK,
        data=CaseCreate(category_code="E0102", description="垃圾", lng=POINT_A[0], lat=POINT_A[1]),
        channel="hotline",
        now=now,
    ).case
    assert case.calendar_warning and "2027" in case.calendar_warning
    # 30 min on 31 Dec; 1 Jan is a statutory day off even before 2027's schedule is entered
    # (the warning is about the make-up days): the other 30 min on Monday 4 Jan, 09:00 CST.
    assert case.step_due_at == utc(2027, 1, 4, 1, 0)


def test_sms_and_email_gateways(client: TestClient, db: Session, city: dict) -> None:
    _, sms_key = service.add_client(db, name="移动短信网关", kind="sms")
    _, mail_key = service.add_client(db, name="mail", kind="email")
    db.commit()
    body = {"message_id": "m-1", "sender": "13912345678", "text": "幸福路井盖丢失"}
    assert client.post("/api/v1/cases/inbound/sms", json=body).status_code == 401
    wrong = client.post("/api/v1/cases/inbound/sms", json=body, headers={"X-Api-Key": mail_key})
    assert wrong.status_code == 403
    first = client.post("/api/v1/cases/inbound/sms", json=body, headers={"X-Api-Key": sms_key})
    assert first.status_code == 201, first.text
    again = client.post(
        "/api/v1/cases/inbound/sms", json=body, headers={"Authorization": f"Bearer {sms_key}"}
    )
    assert again.json() == {**first.json(), "duplicate": True}
    case = db.get(Case, first.json()["id"])
    assert case is not None and case.channel == "sms" and case.grid_code is None
    assert case.reporter_phone_masked == "139****5678"
    mail = client.post(
        "/api/v1/cases/inbound/email",
        json={
            "message_id": "<a@b>",
            "sender": "zhang@example.cn",
            "subject": "路灯不亮",
            "text": "胜利路 3 号路灯",
            "lng": POINT_A[0],
            "lat": POINT_A[1],
            "category_code": "C0106",
        },
        headers={"X-Api-Key": mail_key},
    )
    assert mail.status_code == 201, mail.text
    made = db.get(Case, mail.json()["id"])
    assert made is not None and made.grid_code == GRID_A and made.category_code == "C0106"
    bad = client.post(
        "/api/v1/cases/inbound/email",
        json={"message_id": "x", "sender": "a@b", "text": "<b>hi</b>"},
        headers={"X-Api-Key": mail_key},
    )
    assert bad.status_code == 400


def test_registration_needs_category_and_location(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    _, key = service.add_client(db, name="sms", kind="sms")
    db.commit()
    made = client.post(
        "/api/v1/cases/inbound/sms",
        json={"message_id": "1", "sender": "13800000000", "text": "有人占道经营"},
        headers={"X-Api-Key": key},
    ).json()
    clerk = users(Role.INTAKE_CLERK)
    refused = client.post(f"/api/v1/cases/{made['id']}/register", json={}, headers=clerk)
    assert refused.status_code == 400
    amended = client.post(
        f"/api/v1/cases/{made['id']}/amend",
        json={"amend": {"category_code": "E0502", "lng": POINT_A[0], "lat": POINT_A[1]}},
        headers=clerk,
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["grid_code"] == GRID_A and amended.json()["department_code"] == "CG"
    assert (
        client.post(f"/api/v1/cases/{made['id']}/register", json={}, headers=clerk).status_code
        == 200
    )


def test_public_tracking_shows_no_reporter_data(
    client: TestClient, users: Users, city: dict
) -> None:
    case = report(client, users(Role.INTAKE_CLERK))
    tracked = client.get(f"/api/v1/cases/track/{case['number'].lower()}").json()
    assert tracked["state"] == "reported" and tracked["events"][0]["move"] == "report"
    assert "13812345678" not in str(tracked) and "138****" not in str(tracked)
    assert client.get("/api/v1/cases/track/NOPE").status_code == 404


def test_reference_data_and_admin_edit(client: TestClient, users: Users) -> None:
    clerk = users(Role.INTAKE_CLERK)
    categories = client.get("/api/v1/cases/categories", headers=clerk).json()
    garbage = next(c for c in categories if c["code"] == "E0102")
    assert garbage["handle_minutes"] == 240 and garbage["department_code"] == "HW"
    assert {d["code"] for d in client.get("/api/v1/cases/departments", headers=clerk).json()} >= {
        "CG",
        "SZ",
        "HW",
        "YL",
        "GA",
        "SCJG",
        "ZJ",
        "WJ",
        "MZ",
        "RS",
    }
    assert (
        client.patch(
            "/api/v1/cases/categories/E0102", json={"warn_share": 0.8}, headers=clerk
        ).status_code
        == 403
    )
    admin = users(Role.SYSTEM_ADMIN)
    changed = client.patch(
        "/api/v1/cases/categories/E0102", json={"warn_share": 0.8}, headers=admin
    )
    assert changed.status_code == 200 and changed.json()["warn_share"] == 0.8


def test_overdue_endpoint_is_city_wide_only(client: TestClient, users: Users) -> None:
    assert (
        client.get("/api/v1/cases/overdue", headers=users(Role.SHIFT_LEADER)).json()["count"] == 0
    )
    assert client.get("/api/v1/cases/overdue", headers=users(Role.GRID_WORKER)).status_code == 403


def test_entering_2027_recomputes_running_clocks(db: Session, city: dict) -> None:
    from datetime import date

    from gridgov.workcal import service as workcal
    from gridgov.workcal.schemas import CalendarDayIn

    case = intake.create_case(
        db,
        principal=CLERK,
        data=CaseCreate(category_code="E0102", description="垃圾", lng=POINT_A[0], lat=POINT_A[1]),
        channel="hotline",
        now=utc(2026, 12, 31, 9, 0),  # 17:00 CST: 30 min left today, 30 min next working day
    ).case
    assert case.step_due_at == utc(2027, 1, 4, 1, 0) and case.calendar_warning
    # The announced schedule makes Saturday 2 Jan a make-up working day (调休上班).
    workcal.import_schedule(
        db,
        principal=SYSTEM,
        year=2027,
        days=[
            CalendarDayIn(day=date(2027, 1, 1), kind="off", name="元旦"),
            CalendarDayIn(day=date(2027, 1, 2), kind="work", name="元旦调休"),
        ],
    )
    db.refresh(case)
    assert service.aware(case.step_due_at) == utc(2027, 1, 2, 1, 0)  # Saturday 09:00 CST
    assert case.calendar_warning is None
    timeline = service.get_detail(db, principal=LEADER, case_id=case.id).events
    assert timeline[-1].move == "recalculate"
