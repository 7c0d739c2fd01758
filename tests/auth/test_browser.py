"""Sign-in, forced password change, lock-out and the auditor's page in Debian's chromium, against
a live server (real engine, real background sealer)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit.chain import verify_engine
from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.audit import AuditEntry
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

NEW_PASSWORD = "Fresh-Secret-42"


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        create_user(session, role=Role.DISPATCHER, username="newcomer", must_change_password=True)
        create_user(session, role=Role.AUDITOR, username="auditor1")
        create_user(session, role=Role.LEADER, username="victim")
        session.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base, url


def sign_in(page, base: str, username: str, password: str, path: str = "/login") -> None:  # type: ignore[no-untyped-def]
    page.goto(base + path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_initial_password_must_be_changed_in_the_browser(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    page = browser.new_page()
    sign_in(page, base, "newcomer", DEFAULT_PASSWORD)
    page.wait_for_url("**/password")
    page.fill("input[name=current_password]", DEFAULT_PASSWORD)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=repeat_password]", NEW_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    assert "newcomer" in page.inner_text("header")
    # sign out through the header form (CSRF token included)
    page.click("header form[action='/logout'] button")
    page.wait_for_url("**/login")
    page.goto(base + "/")
    assert "/login" in page.url


def test_lockout_and_the_auditor_sees_it(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, url = site
    page = browser.new_page()
    for _ in range(6):  # the sixth from this address is throttled (issue 16 #15)
        sign_in(page, base, "victim", "not-the-password")
    assert "过多" in page.inner_text("main") or "Too many" in page.inner_text("main")

    auditor = browser.new_page()
    sign_in(auditor, base, "auditor1", DEFAULT_PASSWORD, "/login?next=/audit")
    auditor.wait_for_url("**/audit")
    auditor.select_option("select[name=action]", "auth.login_failed")
    auditor.click("form.audit-filter button[type=submit]")
    auditor.wait_for_url("**action=auth.login_failed**")
    rows = auditor.locator("table.audit-table tbody tr")
    assert rows.count() >= 5
    assert "throttled" in auditor.inner_text("table.audit-table")

    engine = make_engine(url)
    with engine.connect() as conn:
        written = conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    report = verify_engine(engine)
    engine.dispose()
    assert report.ok, report.problems
    # five failed sign-ins and the auditor's sign-in at least; every entry written is in the chain
    assert written >= 6
    assert report.checked >= written
