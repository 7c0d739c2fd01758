"""Issue 16 item 4: the pages work under our Content-Security-Policy — Debian's chromium reports
no violation and no script error on the pages each kind of user opens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.fieldwork.conftest import make_grid
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

PAGES = {
    "leader": ["/", "/cases", "/dashboard", "/docs"],
    "worker": ["/field/"],
    "clerk": ["/cases/new", "/cases/queue"],
    "auditor": ["/audit"],
}


@pytest.fixture(scope="module")
def site(fresh_database_url: Any) -> Iterator[str]:
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        grid = make_grid(session)
        create_user(session, role=Role.LEADER, username="leader")
        create_user(session, role=Role.GRID_WORKER, username="worker", region_code=grid.code)
        create_user(session, role=Role.AUDITOR, username="auditor")
        create_user(session, role=Role.INTAKE_CLERK, username="clerk")
        session.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base


@pytest.mark.parametrize("username", list(PAGES))
def test_pages_run_under_the_policy(site: str, browser: Any, username: str) -> None:
    page = browser.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"script error: {error}"))
    page.goto(site + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    for path in PAGES[username]:
        response = page.goto(site + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        assert "content-security-policy" in response.headers
        page.wait_for_load_state("networkidle")
    page.close()
    assert violations == [], violations
