"""Dispatch sets a handling time within the category's limit; a rework keeps it and the
extensions approved since (issue 10)."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import CaseEvent
from gridgov.workcal.service import current_calendar
from tests.auth.test_pages import form_token
from tests.cases.helpers import Users, move, report
from tests.cases.test_pages import signed_in


def _at(db: Session, case_id: int, name: str) -> datetime:
    moment = db.scalars(
        select(CaseEvent.at)
        .where(CaseEvent.case_id == case_id, CaseEvent.move == name)
        .order_by(CaseEvent.id.desc())
    ).first()
    assert moment is not None
    return moment


def _due(db: Session, start: datetime, minutes: int) -> str:
    due = current_calendar(db).add_working_minutes(start, minutes).at
    return due.isoformat().replace("+00:00", "Z")


def _same(api_value: str, expected: str) -> bool:
    return datetime.fromisoformat(api_value.replace("Z", "+00:00")) == datetime.fromisoformat(
        expected.replace("Z", "+00:00")
    )


def test_dispatch_beyond_the_limit_is_refused_with_a_problem(
    client: TestClient, users: Users, city: dict
) -> None:
    leader = users(Role.SHIFT_LEADER)
    cid = report(client, users(Role.INTAKE_CLERK), category="E0102")["id"]  # 4 working hours
    move(client, leader, cid, "register")
    response = client.post(
        f"/api/v1/cases/{cid}/dispatch", json={"handle_minutes": 241}, headers=leader
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["field"] == "handle_minutes" and problem["limit_minutes"] == 240
    assert "4 个工作小时" in problem["message"] and "limit" in problem["message_en"]
    assert client.get(f"/api/v1/cases/{cid}", headers=leader).json()["state"] == "registered"


def test_dispatch_within_the_limit_and_rework_keeps_the_approved_extension(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    leader, department, worker = (
        users(Role.SHIFT_LEADER),
        users(Role.DEPARTMENT_HANDLER),
        users(Role.GRID_WORKER),
    )
    cid = report(client, users(Role.INTAKE_CLERK), category="E0102")["id"]
    move(client, leader, cid, "register")
    sent = move(client, leader, cid, "dispatch", handle_minutes=120)
    assert sent["handle_minutes"] == 120
    assert _same(sent["step_due_at"], _due(db, _at(db, cid, "dispatch"), 120))
    move(client, department, cid, "accept")
    move(client, department, cid, "request_extension", minutes=60, note="等配件")
    extended = move(client, leader, cid, "approve_extension")
    assert extended["extension_minutes_granted"] == 60
    move(client, department, cid, "feedback", note="已清理")
    move(client, worker, cid, "verify", result="fail", note="仍有垃圾")
    again = move(client, leader, cid, "rework", note="未清理干净")
    # Handling starts again with the dispatcher's 2 hours and the approved hour: 3 hours.
    assert again["step"] == "handle" and again["extension_minutes_granted"] == 60
    assert _same(again["step_due_at"], _due(db, _at(db, cid, "rework"), 180))
    # A return and a new dispatch start afresh (the category's limit, no extension).
    move(client, department, cid, "request_return", note="不属于本部门")
    move(client, leader, cid, "approve_return")
    fresh = move(client, leader, cid, "dispatch")
    assert fresh["handle_minutes"] is None and fresh["extension_minutes_granted"] == 0
    assert _same(fresh["step_due_at"], _due(db, _at(db, cid, "dispatch"), 240))


def test_the_dispatch_form_offers_only_times_within_the_limit(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    leader = users(Role.SHIFT_LEADER)
    hours = report(client, leader, category="E0102")["id"]  # 4 working hours
    days = report(client, leader, category="C0303")["id"]  # 3 working days
    for cid in (hours, days):
        move(client, leader, cid, "register")
    client.headers.pop("Authorization", None)
    signed_in(client, db, Role.DISPATCHER)
    page = client.get(f"/cases/{hours}")
    form = page.text.split(f'action="/cases/{hours}/move/dispatch"')[1].split("</form>")[0]
    offered = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', form.split("handle_minutes")[1])
    assert [int(v) for v, _ in offered] == [60, 120, 180, 240]
    assert offered[-1][1] == "4 个工作小时" and 'value="240" selected' in form
    page = client.get(f"/cases/{days}?lang=en")
    form = page.text.split(f'action="/cases/{days}/move/dispatch"')[1].split("</form>")[0]
    offered = re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', form.split("handle_minutes")[1])
    assert [int(v) for v, _ in offered] == [420, 840, 1260]
    assert "3 working days" in offered[-1][1]
    # A forged value beyond the limit is refused on the page, in words.
    token = form_token(page.text)
    refused = client.post(
        f"/cases/{days}/move/dispatch",
        data={"csrf_token": token, "department_code": "HW", "handle_minutes": "1680"},
    )
    assert refused.status_code == 400 and "limit (3 working days)" in refused.text
    done = client.post(
        f"/cases/{days}/move/dispatch",
        data={"csrf_token": token, "department_code": "HW", "handle_minutes": "840"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert client.get(f"/api/v1/cases/{days}").json()["handle_minutes"] == 840
