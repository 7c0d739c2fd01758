"""The pages of issue 10 read in words in both languages (the check of tests/web/
test_every_page.py, on each page here, with data of every kind on it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.field_submission import FieldSubmission
from tests.auth.test_pages import web_login
from tests.cases.conftest import _fresh_caches, city, users  # noqa: F401 (fixtures)
from tests.cases.helpers import GRID_A, Users, move, report
from tests.factories import create_user
from tests.web.test_every_page import _reading_problems, words  # noqa: F401 (fixture)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_issue_10_pages_read_in_words(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
    users: Users,  # noqa: F811
    words: dict,  # noqa: F811
    language: str,
) -> None:
    clerk, dispatcher = users(Role.INTAKE_CLERK), users(Role.DISPATCHER)
    handler = users(Role.DEPARTMENT_HANDLER)
    case = report(client, clerk)
    move(client, clerk, case["id"], "register")
    move(client, dispatcher, case["id"], "dispatch", department_code="HW")
    move(client, handler, case["id"], "accept")
    move(client, handler, case["id"], "request_extension", minutes=420, note="等待配件")
    client.headers.pop("Authorization", None)
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    db.add(
        FieldSubmission(
            uuid=str(uuid.uuid4()),
            content_hash="x" * 64,
            kind="form",
            module_code="population",
            user_id=worker.id,
            grid_code=GRID_A,
            data={"name": "张三"},
            received_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
    )
    db.commit()
    client.cookies.set("lang", language)
    pages = {
        Role.SECURITY_ADMIN: ["/admin/users", "/admin/users/new"],
        Role.SHIFT_LEADER: ["/cases/approvals", "/cases/centre", "/field/submissions"],
    }
    problems: list[str] = []
    for role, urls in pages.items():
        web_login(client, create_user(db, role=role).username)
        client.cookies.set("lang", language)
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, url
            problems += [f"{url}: {p}" for p in _reading_problems(answer.text, language, words)]
    tracked = client.get("/track", params={"number": case["number"]})
    problems += [f"/track: {p}" for p in _reading_problems(tracked.text, language, words)]
    assert problems == []
