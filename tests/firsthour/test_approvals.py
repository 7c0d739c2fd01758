"""The shift leader's approvals inbox (issue 10)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
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

    leader = create_user(db, role=Role.SHIFT_LEADER)
    web_login(client, leader.username)
    assert client.get("/cases/approvals/count").text == "2"
    inbox = client.get("/cases/approvals")
    assert inbox.status_code == 200
    assert f'data-case="{first["number"]}" data-kind="extension"' in inbox.text
    assert f'data-case="{second["number"]}" data-kind="return"' in inbox.text
    assert "2 个工作日" in inbox.text and "等待配件" in inbox.text and "不属于本部门" in inbox.text
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
