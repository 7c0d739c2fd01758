"""A security administrator moves a grid worker to a department in Debian's chromium
(issue 10): the role picker offers only grantable roles, a missing department is said on the
page, the change is in the trail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.audit import AuditEntry
from gridgov.models.department import Department
from gridgov.models.user import User
from tests.auth.test_browser import sign_in
from tests.authz.city import make_region
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

GRID = "420502001001001"


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        district = make_region(session, code=GRID[:6], level="district")
        street = make_region(session, code=GRID[:9], level="street", parent=district)
        community = make_region(session, code=GRID[:12], level="community", parent=street)
        make_region(session, code=GRID, level="grid", parent=community)
        if not session.scalar(select(Department).where(Department.code == "HW")):
            session.add(Department(code="HW", name="环境卫生管理处", name_en="Sanitation"))
        create_user(session, role=Role.SECURITY_ADMIN, username="secadmin")
        worker = create_user(session, role=Role.GRID_WORKER, region_code=GRID, username="mover")
        worker_id = worker.id
        session.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base, url, worker_id


def test_security_admin_changes_a_role_with_its_department(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, url, worker_id = site
    page = browser.new_page()
    sign_in(page, base, "secadmin", DEFAULT_PASSWORD, f"/login?next=/admin/users/{worker_id}")
    page.wait_for_url(f"**/admin/users/{worker_id}")
    offered = page.eval_on_selector_all("#role option", "options => options.map(o => o.value)")
    assert "department_handler" in offered and "security_admin" not in offered
    page.select_option("#role", "department_handler")
    page.fill("#region_code", "")
    page.click("#user-form button[type=submit]")
    assert "部门" in page.inner_text("[role=alert]")  # the handler needs a department
    page.select_option("#role", "department_handler")
    page.fill("#region_code", "")
    page.select_option("#department_code", "HW")
    page.click("#user-form button[type=submit]")
    page.wait_for_url(f"**/admin/users/{worker_id}")
    assert page.locator("[role=alert]").count() == 0
    assert "部门处置人员" in page.inner_text("h1")
    engine = make_engine(url)
    with Session(engine) as session:
        user = session.get(User, worker_id)
        assert user is not None and (user.role, user.department_code, user.region_code) == (
            "department_handler",
            "HW",
            None,
        )
        assert session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.action == "user.role_change", AuditEntry.object_id == str(worker_id)
            )
        )
    engine.dispose()
