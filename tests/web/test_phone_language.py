"""The phone app switches language at once — also from its offline cache, where the shell of
the previous language is stored — and shows a task's deadline in the city's time zone with its
kind and state in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.task import Task
from tests.factories import create_user
from tests.fieldwork.conftest import make_grid
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser
PASSWORD = "Field-Passw0rd!"


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as db:
        grid = make_grid(db)
        db.flush()
        worker = create_user(db, role=Role.GRID_WORKER, region_code=grid.code, password=PASSWORD)
        db.add(
            Task(
                kind="case_verification",
                title="核查 2612060001",
                grid_code=grid.code,
                assignee_user_id=worker.id,
                state="open",
                # 00:30 UTC is 08:30 in Asia/Shanghai (the phone itself may be anywhere)
                due_at=datetime(2026, 12, 24, 0, 30, tzinfo=UTC),
            )
        )
        username = worker.username
        db.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield {"base": base, "username": username}


def test_language_switch_is_immediate_and_survives_the_offline_cache(site, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        timezone_id="Europe/London",  # the phone's own zone is not the city's
        service_workers="allow",
        bypass_csp=True,  # wait_for_function evaluates its predicate as a string
    )
    page = context.new_page()
    page.goto(site["base"] + "/field/")
    page.wait_for_function("document.body.dataset.ready === '1'")
    page.fill("#login-form input[name=username]", site["username"])
    page.fill("#login-form input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app:not([hidden])")
    page.click("nav button[data-view=tasks]")
    card = page.locator("section.task").first
    card.wait_for()
    assert "案件核查" in card.inner_text() and "待接收" in card.inner_text()
    assert "08:30" in card.inner_text() and "case_verification" not in card.inner_text()
    assert page.inner_text("nav button[data-view=tasks]") == "任务"

    # one tap: everything in English at once, without a reload
    page.click("#app .lang-switch")
    assert page.inner_text("nav button[data-view=tasks]") == "Task"
    text = page.locator("section.task").first.inner_text()
    assert "Case verification" in text and "Open" in text and "08:30" in text
    assert "任务" not in page.inner_text("nav")

    # the shell comes from the service worker's cache now; offline too, it stays English
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.reload()
    page.wait_for_function("document.body.dataset.ready === '1'")
    page.wait_for_selector("#app:not([hidden])")
    assert page.inner_text("nav button[data-view=tasks]") == "Task"
    assert page.get_attribute("html", "lang") == "en"

    page.click("#app .lang-switch")
    assert page.inner_text("nav button[data-view=tasks]") == "任务"
    context.set_offline(False)
    context.close()
