"""The birth flow on a real phone (waits are selectors: the pages' CSP allows no eval): a
hospital's birth record pushed through the API appears as a task (with its admission reference)
in the field app, is done offline, syncs, and ends with the newborn in the base and an open
proxy service; the police's ID number later closes it. A proxy service opened offline from the
tasks screen arrives too, and so does a diversion report naming the department."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.lifecycle import ProxyService
from gridgov.models.lifecycle_admission import DiversionReport
from gridgov.models.person import Person
from gridgov.people.identifiers import make_resident_id
from tests.factories import create_user
from tests.fieldwork.conftest import make_grid
from tests.lifecycle.conftest import birth_event, family_in
from tests.live import live_server, server_settings

PASSWORD = "Field-Passw0rd!"
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(fresh_database_url: Any) -> Iterator[dict[str, Any]]:
    """A grid with the family's house, its worker, the hospital and the police; served."""
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as db:
        grid = make_grid(db)
        family_in(db, grid.code)
        users = {
            role: create_user(db, password=PASSWORD, **extra).username  # type: ignore[arg-type]
            for role, extra in {
                "worker": {"role": Role.GRID_WORKER, "region_code": grid.code},
                "health": {"role": Role.DEPARTMENT_HANDLER, "department_code": "WJ"},
                "police": {"role": Role.DEPARTMENT_HANDLER, "department_code": "GA"},
            }.items()
        }
        db.commit()
        grid_code = grid.code
    with live_server(server_settings(url)) as base:
        yield {"base": base, "url": url, "grid": grid_code, **users}
    engine.dispose()


def token(base: str, username: str) -> dict[str, str]:
    answer = httpx.post(
        base + "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_birth_task_done_offline_on_the_phone(site: dict, browser: Any) -> None:
    base = site["base"]
    engine = make_engine(site["url"])
    pushed = httpx.post(
        base + "/api/v1/lifecycle/events",
        json=birth_event("HOSP-B1"),
        headers=token(base, site["health"]),
    )
    assert pushed.status_code == 201 and pushed.json()["status"] == "tasked", pushed.text

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = phone.new_page()
    page.goto(base + "/field/")
    page.fill("input[name=username]", site["worker"])
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{site['grid']}']")
    page.click("nav button[data-view=tasks]")
    card = page.locator(f"[data-task='{pushed.json()['task_id']}']")
    assert "新生儿上门核实：李娟之子" in card.inner_text()
    assert "准入依据：准入〔2026〕3号" in card.inner_text()
    assert "4205020001" in card.inner_text()  # the household, prefilled

    phone.set_offline(True)
    page.wait_for_selector("#net.off")
    card.locator("button.primary").click()
    form = page.locator("#module-form[data-module=newborn_visit]")
    form.locator("input[name=baby_name]").fill("王小宝")
    form.locator("select[name=lives_here]").select_option("yes")
    form.locator("select[name=household_ok]").select_option("yes")
    form.locator("input[name=visit_date]").fill("2026-12-02")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#queue-count[data-count='1']")
    # Still offline: the father's ID card renewal, opened from the tasks screen.
    proxy = page.locator("#proxy-form")
    father = proxy.locator("select[name=person_id] option", has_text="王强").get_attribute("value")
    proxy.locator("select[name=person_id]").select_option(father)
    proxy.locator("select[name=code]").select_option("id_card_renewal")
    proxy.locator("button[type=submit]").click()
    page.wait_for_selector("#queue-count[data-count='2']")
    # … and a diversion (准入): the civil affairs bureau, picked from the offline list.
    diversion = page.locator("#diversion-form")
    diversion.locator("input[name=day]").fill("2026-12-01")
    diversion.locator("input[name=minutes]").fill("90")
    diversion.locator("select[name=department_code]").select_option("MZ")
    diversion.locator("textarea[name=description]").fill("低保入户调查")
    diversion.locator("button[type=submit]").click()
    page.wait_for_selector("#queue-count[data-count='3']")
    with Session(engine) as db:
        assert db.scalars(select(Person).where(Person.name == "王小宝")).first() is None
        assert (
            db.scalars(
                select(ProxyService).where(ProxyService.service_code == "id_card_renewal")
            ).first()
            is None
        )

    phone.set_offline(False)
    page.wait_for_selector("#queue-count[data-count='0']", state="attached", timeout=20000)
    with Session(engine) as db:
        newborn = db.scalars(select(Person).where(Person.name == "王小宝")).one()
        assert newborn.id_type == "birth_cert" and newborn.household_id is not None
        [service] = db.scalars(
            select(ProxyService).where(ProxyService.person_id == newborn.id)
        ).all()
        assert (service.service_code, service.state) == ("birth_registration", "open")
        born, newborn_id = newborn.birth_date, newborn.id
        renewal = db.scalars(
            select(ProxyService).where(ProxyService.service_code == "id_card_renewal")
        ).one()
        assert (renewal.person_id, renewal.state, renewal.department_code) == (
            int(father or 0),
            "open",
            "GA",
        )
        report = db.scalars(select(DiversionReport)).one()
        assert (report.department_code, report.requested_by, report.minutes) == ("MZ", "民政局", 90)

    issued = {
        "event_type": "id_issued",
        "source_ref": "GA-B1",
        "occurred_on": "2026-12-20",
        "data": {"id_number": make_resident_id("420502", born, 17), "birth_cert_no": "Q420123456"},
    }
    answer = httpx.post(
        base + "/api/v1/lifecycle/events", json=issued, headers=token(base, site["police"])
    )
    assert answer.json()["person_id"] == newborn_id, answer.text
    with Session(engine) as db:
        service = db.scalars(select(ProxyService).where(ProxyService.person_id == newborn_id)).one()
        assert (service.state, service.result) == ("done", "公安已登记身份证号")
        assert db.get(Person, newborn_id).id_type == "resident_id"  # type: ignore[union-attr]
    phone.close()
