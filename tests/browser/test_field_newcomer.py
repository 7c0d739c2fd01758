"""The grid's map on the phone (polygon and facilities), then a newcomer registered without signal: the population form offers "new resident"
and a new household in a house of the grid, a mistyped resident ID is caught on its question,
and once online the person exists in the base (source grid_worker) with the household; a second
newcomer whose ID is already in the base goes to the supervisor instead of becoming a duplicate."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.housing import service as housing
from gridgov.housing.schemas import HouseCreate
from gridgov.kit.db import make_engine
from gridgov.models.facility import Facility
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.people import service as people
from gridgov.people.identifiers import make_resident_id
from gridgov.people.schemas import PersonCreate
from gridgov.people.sensitive import lookup
from tests.fieldwork.conftest import INSIDE

SYSTEM = system_principal("test")

pytestmark = pytest.mark.browser
NEWCOMER_ID = make_resident_id("420502", date(1990, 5, 17), 123)
KNOWN_ID = make_resident_id("420502", date(1985, 3, 2), 246)
ADDRESS = "西陵区夷陵大道 9 号 2-301"


def fill_newcomer(page: Any, name: str, id_number: str, sex: str, birth: str) -> Any:
    page.click("nav button[data-view=forms]")
    page.click("[data-module=population]")
    form = page.locator("#module-form")
    assert form.locator("select[name=__subject]").input_value() == "new"
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=id_number]").fill(id_number)
    form.locator("select[name=sex]").select_option(sex)
    form.locator("input[name=birth_date]").fill(birth)
    form.locator("select[name=residence]").select_option("floating")
    form.locator("input[name=move_in_date]").fill("2026-11-01")
    return form


def test_newcomer_registered_offline(live_server: dict, phone: Any) -> None:
    engine = make_engine(live_server["url"])
    with Session(engine) as db:
        house = housing.create_house(
            db,
            principal=SYSTEM,
            house_in=HouseCreate(address=ADDRESS, grid_code=live_server["grid"]),
        )
        people.create_person(
            db,
            principal=SYSTEM,
            person_in=PersonCreate(id_number=KNOWN_ID, name="王强", grid_code=live_server["grid"]),
            source="police",
        )
        grid = db.scalars(select(Region).where(Region.code == live_server["grid"])).one()
        db.add(
            Facility(
                code="4205020101000001",
                kind="water_manhole",
                name="上水井盖",
                grid_id=grid.id,
                grid_code=grid.code,
                lng=INSIDE[0],
                lat=INSIDE[1],
            )
        )
        db.commit()
        house_id = house.id

    page = phone.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    # Leaflet draws the grid and its facility (the view is set before vector layers are added).
    page.wait_for_selector("#map path.facility")
    assert page.locator("#map path.leaflet-interactive").count() == 2
    phone.set_offline(True)
    page.wait_for_function("document.querySelector('#net').classList.contains('off')")

    form = fill_newcomer(page, "李明", NEWCOMER_ID[:17] + "0", "M", "1990-05-17")
    form.locator("select[name=__household]").select_option(str(house_id))
    form.locator("button[type=submit]").click()
    # The check digit is wrong: said on the question, nothing queued.
    assert "校验码" in form.locator("[data-field=id_number] .error").inner_text()
    assert page.locator("#queue-count").get_attribute("data-count") == "0"
    form.locator("input[name=id_number]").fill(NEWCOMER_ID)
    form.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '1'")

    # Someone the base already knows (a police record), registered as new by mistake.
    form = fill_newcomer(page, "王强", KNOWN_ID, "F", "1985-03-02")
    form.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '2'")

    phone.set_offline(False)
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=20000
    )
    page.wait_for_selector("#notice:not([hidden])")
    assert "主管" in page.locator("#notice").inner_text()

    with Session(engine) as db:
        person = db.scalars(
            select(Person).where(Person.id_number_hash == lookup(NEWCOMER_ID))
        ).one()
        assert (person.name, person.sex, person.residence_type) == ("李明", "M", "floating")
        assert (person.grid_code, person.change_source) == (live_server["grid"], "grid_worker")
        household = db.get(Household, person.household_id)
        assert household is not None and household.house_id == house_id
        assert (person.relation_to_head, person.current_address) == ("head", ADDRESS)
        submissions = db.scalars(select(FieldSubmission).order_by(FieldSubmission.id)).all()
        assert [s.result_ref for s in submissions] == [f"person:{person.id}@v1", None]
        assert [s.state for s in submissions] == ["applied", "conflict"]
        [conflict] = db.scalars(select(SyncConflict)).all()
        assert (conflict.kind, conflict.uuid) == ("id_exists", submissions[1].uuid)
        known = db.scalars(select(Person).where(Person.id_number_hash == lookup(KNOWN_ID))).one()
        assert (known.version, known.name) == (1, "王强")
    engine.dispose()

    # The refreshed bundle lists the newcomer among the residents to pick for the next form.
    page.click("nav button[data-view=forms]")
    page.click("[data-module=population]")
    options = page.locator("#module-form select[name=__subject] option").all_inner_texts()
    assert any(o.startswith("李明 420502") for o in options), options
    assert errors == []
