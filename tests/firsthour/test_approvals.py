"""The shift leader's approvals inbox (issue 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
from gridgov.models.user import User
from tests.auth.test_pages import form_token, web_login
from tests.cases.conftest import _fresh_caches, city, users  # noqa: F401 (fixtures)
from tests.cases.helpers import Users, move, report
from tests.factories import create_user


def test_shift_leader_sees_and_decides_waiting_requests(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    clerk, dispatcher = users(Role.INTAKE_CLERK), users(Role.DISPATCHER)
    handler = users(Role.DEPARTMENT_HANDLER)
    first, second = report(client, clerk), report(client, clerk, description="井盖破损")
    for case in (first, second):
        move(client, clerk, case["id"], "register")
        move(client, dispatcher, case["id"], "dispatch", department_code="HW")
        move(client, handler, case["id"], "accept")
    move(client, handler, first["id"], "request_extension", minutes=840, note="等待配件")
    move(client, handler, second["id"], "request_return", note="不属于本部门")
    client.headers.pop("Authorization", None)
    asker = db.scalars(select(User).where(User.role == Role.DEPARTMENT_HANDLER.value)).one()
    asker.display_name = "环卫处张工"
    db.commit()

    leader = create_user(db, role=Role.SHIFT_LEADER)
    web_login(client, leader.username)
    assert client.get("/cases/approvals/count").text == "2"
    inbox = client.get("/cases/approvals")
    assert inbox.status_code == 200
    assert f'data-case="{first["number"]}" data-kind="extension"' in inbox.text
    assert f'data-case="{second["number"]}" data-kind="return"' in inbox.text
    assert "2 个工作日" in inbox.text and "等待配件" in inbox.text and "不属于本部门" in inbox.text
    assert "环卫处张工" in inbox.text and asker.username not in inbox.text  # the display name
    home = client.get("/cases")
    assert 'hx-get="/cases/approvals/count"' in home.text  # the count beside the entry

    decided = client.post(
        f"/cases/approvals/{first['id']}",
        data={"csrf_token": form_token(inbox.text), "kind": "extension", "decision": "approve"},
        follow_redirects=False,
    )
    assert decided.status_code == 303 and decided.headers["location"] == "/cases/approvals"
    db.expire_all()
    decided_case = db.get(Case, first["id"])
    assert decided_case is not None and decided_case.extension_minutes_requested is None
    assert decided_case.extension_count == 1
    assert client.get("/cases/approvals/count").text == "1"
    english = client.get("/cases/approvals?lang=en")
    assert "Return" in english.text and first["number"] not in english.text


def test_only_the_shift_leader_has_the_inbox(client: TestClient, db: Session) -> None:
    dispatcher = create_user(db, role=Role.DISPATCHER)
    web_login(client, dispatcher.username)
    assert client.get("/cases/approvals").status_code == 403


def test_department_asks_for_working_hours_on_the_case_page(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    clerk, dispatcher = users(Role.INTAKE_CLERK), users(Role.DISPATCHER)
    case = report(client, clerk)
    move(client, clerk, case["id"], "register")
    move(client, dispatcher, case["id"], "dispatch", department_code="HW")
    client.headers.pop("Authorization", None)
    handler = create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="HW")
    web_login(client, handler.username)
    page = client.get(f"/cases/{case['id']}")
    token = form_token(page.text)
    client.post(f"/cases/{case['id']}/move/accept", data={"csrf_token": token})
    page = client.get(f"/cases/{case['id']}")
    assert f'action="/cases/{case["id"]}/extension"' in page.text and "工作小时" in page.text
    asked = client.post(
        f"/cases/{case['id']}/extension",
        data={"csrf_token": token, "amount": "3", "unit": "hours", "note": "等配件"},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    db.expire_all()
    row = db.get(Case, case["id"])
    assert row is not None and row.extension_minutes_requested == 180
    refused = client.post(
        f"/cases/{case['id']}/extension",
        data={"csrf_token": token, "amount": "1", "unit": "minutes"},
    )
    assert refused.status_code == 400
