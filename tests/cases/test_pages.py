"""The case pages: intake form, queue, inbox, case page with moves, resident form and tracking."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
from gridgov.models.region import Region
from gridgov.models.user import User
from tests.auth.test_pages import form_token, web_login
from tests.cases.helpers import JPEG, POINT_A, report
from tests.factories import auth_headers, create_user


def signed_in(client: TestClient, db: Session, role: Role, **kw: str) -> User:
    user = create_user(db, role=role, **kw)
    web_login(client, user.username)
    return user


def test_clerk_intake_page_creates_a_case_with_a_photo(
    client: TestClient, db: Session, city: dict
) -> None:
    signed_in(client, db, Role.INTAKE_CLERK)
    page = client.get("/cases/new")
    assert page.status_code == 200 and "E0102" in page.text and "leaflet.js" in page.text
    data = {
        "csrf_token": form_token(page.text),
        "channel": "walk_in",
        "category_code": "E0102",
        "description": "来访群众反映：菜场门口垃圾",
        "lng": str(POINT_A[0]),
        "lat": str(POINT_A[1]),
        "reporter_phone": "13800001111",
    }
    done = client.post(
        "/cases/new",
        data=data,
        files={"photos": ("a.jpg", JPEG, "image/jpeg")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    case_page = client.get(done.headers["location"])
    assert case_page.status_code == 200
    assert "菜场门口垃圾" in case_page.text and "/api/v1/media/" in case_page.text
    assert "138****1111" in case_page.text and "13800001111" not in case_page.text
    bad = client.post("/cases/new", data={**data, "description": "<i>x</i>"})
    assert bad.status_code == 400 and "HTML" in bad.text
    outside = client.post("/cases/new", data={**data, "lng": "100", "lat": "20"})
    assert outside.status_code == 400 and "不在本市" in outside.text


def test_case_page_moves_and_queue(client: TestClient, db: Session, city: dict) -> None:
    leader = signed_in(client, db, Role.SHIFT_LEADER)
    leader.display_name = "值班长王敏"
    db.commit()
    page = client.get("/cases/new")
    token = form_token(page.text)
    client.post(
        "/cases/new",
        data={
            "csrf_token": token,
            "channel": "hotline",
            "category_code": "E0102",
            "description": "垃圾",
            "lng": str(POINT_A[0]),
            "lat": str(POINT_A[1]),
        },
    )
    case = db.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    queue = client.get("/cases/queue")
    assert case.number in queue.text
    detail = client.get(f"/cases/{case.id}")
    assert f'action="/cases/{case.id}/move/register"' in detail.text
    grid = db.scalars(select(Region).where(Region.code == case.grid_code)).one()
    assert f'{grid.name} <span class="muted">{grid.code}</span>' in detail.text  # name and code
    token = form_token(detail.text)
    moved = client.post(
        f"/cases/{case.id}/move/register", data={"csrf_token": token}, follow_redirects=False
    )
    assert moved.status_code == 303
    refused = client.post(f"/cases/{case.id}/move/close", data={"csrf_token": token})
    assert refused.status_code == 409 and "不能执行" in refused.text
    no_csrf = client.post(f"/cases/{case.id}/move/dispatch", data={})
    assert no_csrf.status_code == 403
    listed = client.get("/cases", params={"state": "registered", "category": "E01"})
    assert case.number in listed.text
    assert f'<td>{grid.name} <span class="muted">{grid.code}</span></td>' in listed.text
    # The timeline names the account by its display name, not its username.
    timeline = client.get(f"/cases/{case.id}").text.split('class="timeline"')[1].split("</ol>")[0]
    assert "值班长王敏" in timeline and leader.username not in timeline
    english = client.get(f"/cases/{case.id}?lang=en")
    assert "Timeline" in english.text and "Registered" in english.text


def test_department_inbox(client: TestClient, db: Session, users, city: dict) -> None:  # type: ignore[no-untyped-def]
    from tests.cases.helpers import move

    leader = users(Role.SHIFT_LEADER)
    cid = report(client, users(Role.INTAKE_CLERK))["id"]
    move(client, leader, cid, "register")
    move(client, leader, cid, "dispatch")
    client.headers.pop("Authorization", None)
    signed_in(client, db, Role.DEPARTMENT_HANDLER, department_code="HW")
    inbox = client.get("/cases/inbox")
    assert inbox.status_code == 200 and f"/cases/{cid}" in inbox.text
    assert client.get("/cases/new", follow_redirects=False).status_code in (303, 403)


def test_resident_web_form_and_tracking(client: TestClient, db: Session, city: dict) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    token = form_token(page.text)
    data = {
        "csrf_token": token,
        "category_code": "C0106",
        "description": "路灯不亮",
        "lng": str(POINT_A[0]),
        "lat": str(POINT_A[1]),
        "reporter_phone": "13900002222",
    }
    done = client.post("/report", data=data, follow_redirects=False)
    assert done.status_code == 303, done.text
    tracked = client.get(done.headers["location"])
    number = re.search(r"number=([0-9A-Z]+)", done.headers["location"]).group(1)  # type: ignore[union-attr]
    assert number in tracked.text and "13900002222" not in tracked.text
    case = db.scalar(select(Case).where(Case.number == number))
    assert case is not None and case.channel == "web" and case.reporter_user_id is None
    no_place = client.post("/report", data={**data, "lng": "", "lat": "", "address": ""})
    assert no_place.status_code == 400
    # Answered as a resident without an account: no menu, no sign-out.
    assert 'action="/logout"' not in no_place.text and 'href="/cases"' not in no_place.text
    not_image = client.post(
        "/report", data=data, files={"photos": ("x.jpg", b"GIF89a....", "image/jpeg")}
    )
    assert not_image.status_code == 400 and "JPEG" in not_image.text
    assert client.get("/track", params={"number": "NOPE"}).status_code == 404


def test_resident_form_takes_a_photo_larger_than_the_body_limit(
    client: TestClient, db: Session, city: dict
) -> None:
    page = client.get("/report")
    big = JPEG + b"\x00" * (3 * 1024 * 1024)  # above max_body_bytes, below max_photo_bytes
    done = client.post(
        "/report",
        data={
            "csrf_token": form_token(page.text),
            "category_code": "C0106",
            "description": "路灯不亮",
            "lng": str(POINT_A[0]),
            "lat": str(POINT_A[1]),
        },
        files={"photos": ("big.jpg", big, "image/jpeg")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:300]


def test_dispatcher_shows_the_full_number_with_a_purpose(
    client: TestClient, db: Session, city: dict
) -> None:
    clerk = create_user(db, role=Role.INTAKE_CLERK)
    case = report(client, auth_headers(client, clerk), reporter_phone="13800002222")
    signed_in(client, db, Role.DISPATCHER)
    page = client.get(f"/cases/{case['id']}")
    assert "138****2222" in page.text and "13800002222" not in page.text
    assert f'hx-post="/cases/{case["id"]}/reporter-phone"' in page.text
    token = form_token(page.text)
    shown = client.post(
        f"/cases/{case['id']}/reporter-phone",
        data={"csrf_token": token, "purpose": "回访核实位置"},
    )
    assert shown.status_code == 200 and "13800002222" in shown.text
    refused = client.post(
        f"/cases/{case['id']}/reporter-phone", data={"csrf_token": token, "purpose": ""}
    )
    assert "13800002222" not in refused.text and 'class="error"' in refused.text
