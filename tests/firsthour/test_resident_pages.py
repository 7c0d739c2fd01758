"""What a resident sees with the tracking number, and the questionnaire after closure."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
from gridgov.models.case_questionnaire import CaseQuestionnaire
from tests.auth.test_pages import form_token
from tests.cases.conftest import _fresh_caches, city, users  # noqa: F401 (fixtures)
from tests.cases.helpers import JPEG, Users, move, report


def _closed_after_rework(client: TestClient, people: Users) -> dict:
    clerk, dispatcher, leader = (
        people(Role.INTAKE_CLERK),
        people(Role.DISPATCHER),
        people(Role.SHIFT_LEADER),
    )
    handler, worker = people(Role.DEPARTMENT_HANDLER), people(Role.GRID_WORKER)
    case = report(client, clerk)
    move(client, clerk, case["id"], "register")
    move(client, dispatcher, case["id"], "dispatch", department_code="HW")
    move(client, handler, case["id"], "accept")
    photo = client.post(
        "/api/v1/media", files={"file": ("done.jpg", JPEG, "image/jpeg")}, headers=handler
    )
    assert photo.status_code == 201, photo.text
    move(client, handler, case["id"], "feedback", note="已清运", photo_ids=[photo.json()["id"]])
    move(client, worker, case["id"], "verify", result="fail", note="还有垃圾")
    move(client, dispatcher, case["id"], "rework", note="请彻底清理")
    move(client, handler, case["id"], "accept")
    move(client, handler, case["id"], "feedback", note="已彻底清理")
    move(client, worker, case["id"], "verify", result="pass")
    move(client, leader, case["id"], "close")
    client.headers.pop("Authorization", None)
    return case


def test_tracking_shows_each_step_once_with_rework_department_photo_and_map(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    case = _closed_after_rework(client, users)
    page = client.get("/track", params={"number": case["number"]})
    assert page.status_code == 200
    moves = re.findall(r'<li data-move="([a-z_]+)"', page.text)
    assert moves[0] == "report" and moves[-1] == "close"
    assert "rework" in moves and moves.count("feedback") == 2  # once per round
    assert all(a != b for a, b in itertools.pairwise(moves))
    assert 'id="track-department">环境卫生管理处<' in page.text
    photo = re.search(r'src="(/track/[^"]+/photos/\d+)"', page.text)
    assert photo is not None and client.get(photo.group(1)).content == JPEG
    assert 'id="case-map"' in page.text and 'id="questionnaire"' in page.text
    assert client.get(f"/track/{case['number']}/photos/99999").status_code == 404
    missing = client.get("/track", params={"number": "X0000"})
    assert missing.status_code == 404 and "未找到" in missing.text


def test_not_fixed_within_the_period_reopens_and_is_stored_once(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    case = _closed_after_rework(client, users)
    page = client.get("/track", params={"number": case["number"]})
    token = form_token(page.text)
    answered = client.post(
        f"/track/{case['number']}/questionnaire",
        data={"csrf_token": token, "fixed": "no", "satisfaction": "2", "comment": "又堆起来了"},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    answer = db.scalar(select(CaseQuestionnaire).where(CaseQuestionnaire.case_id == case["id"]))
    assert answer is not None and (answer.fixed, answer.satisfaction) == (False, 2)
    follow_up = db.scalar(select(Case).where(Case.number == answer.reopened_number))
    assert follow_up is not None and follow_up.state == "reported"
    assert case["number"] in follow_up.description and follow_up.category_code == "E0102"
    shown = client.get("/track", params={"number": case["number"]})
    assert f'id="track-reopened" href="/track?number={follow_up.number}"' in shown.text
    again = client.post(
        f"/track/{case['number']}/questionnaire",
        data={"csrf_token": token, "fixed": "yes", "satisfaction": "5"},
    )
    assert again.status_code == 409


def test_after_the_period_an_answer_counts_but_reopens_nothing(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
) -> None:
    case = _closed_after_rework(client, users)
    row = db.get(Case, case["id"])
    assert row is not None and row.closed_at is not None
    row.closed_at = row.closed_at - timedelta(days=30)
    db.commit()
    page = client.get("/track", params={"number": case["number"]})
    client.post(
        f"/track/{case['number']}/questionnaire",
        data={"csrf_token": form_token(page.text), "fixed": "no", "satisfaction": "1"},
    )
    answer = db.scalar(select(CaseQuestionnaire).where(CaseQuestionnaire.case_id == case["id"]))
    assert answer is not None and answer.reopened_number is None and answer.satisfaction == 1
