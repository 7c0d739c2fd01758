"""The field app on a phone: sign in, go offline, fill a module, report a problem with a photo,
reload while still offline (grid and queue are still there), come back online, and both records
arrive on the server exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.fieldwork.forms import registry
from gridgov.kit.db import make_engine
from gridgov.models.case import Case
from gridgov.models.field_submission import FieldSubmission
from gridgov.models.media import Media
from tests.fieldwork.test_forms import xlsx

pytestmark = pytest.mark.browser
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 64


def queued(page: Any) -> str:
    return str(page.locator("#queue-count").inner_text())


def test_offline_collection_and_report_sync(live_server: dict, phone: Any) -> None:
    page = phone.new_page()
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    # The service worker controls the page once it has cached the shell.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    page.wait_for_function("document.querySelector('#net').classList.contains('off')")

    # Fill the environment module from its XLSForm definition.
    page.click("nav button[data-view=forms]")
    page.click("[data-module=environment]")
    form = page.locator("#module-form")
    form.locator("input[name=issues][value=garbage]").check()
    form.locator("select[name=severity]").select_option("minor")
    form.locator("[data-field=location] button").click()
    page.wait_for_function(
        "document.querySelector('#module-form input[name=location]').value !== ''"
    )
    # A constraint is checked on the phone before anything is queued.
    form.locator("[data-field=description] input").fill("x" * 501)
    form.locator("button[type=submit]").click()
    assert form.locator("[data-field=description] .error").inner_text() != ""
    form.locator("[data-field=description] input").fill("垃圾桶满溢")
    form.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '1'")

    # Report a problem with a photo.
    page.click("nav button[data-view=report]")
    report = page.locator("#report-form")
    report.locator("select[name=category]").select_option("E0101")
    report.locator("input[name=photos]").set_input_files(
        files=[{"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    report.locator("textarea[name=description]").fill("楼顶私搭乱建")
    report.locator("button[type=submit]").click()
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '2'")

    # Reload with no network: the shell, the grid and the queue are all still there.
    page.reload()
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '2'")
    assert page.locator("#map svg, #map .leaflet-pane").count() >= 1

    engine = make_engine(live_server["url"])
    with Session(engine) as db:
        assert db.scalar(select(func.count()).select_from(FieldSubmission)) == 0

    # Back online: the queue empties and both records are on the server, once.
    phone.set_offline(False)
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=20000
    )
    with Session(engine) as db:
        rows = db.scalars(select(FieldSubmission).order_by(FieldSubmission.id)).all()
        assert [(r.kind, r.module_code) for r in rows] == [
            ("form", "environment"),
            ("report", None),
        ]
        assert rows[0].data["description"] == "垃圾桶满溢"
        assert rows[1].result_ref and rows[1].result_ref.startswith("case:")
        case = db.get(Case, int(rows[1].result_ref.split(":")[1]))
        assert case is not None and case.channel == "worker_app"
        [media] = db.scalars(select(Media)).all()
        assert media.case_id == case.id and rows[1].data["photos"] == [media.id]
    engine.dispose()

    page.click("nav button[data-view=mine]")
    page.wait_for_selector("#my-reports li[data-state=reported]")


def test_a_module_with_a_group_renders_from_pyxforms_json(live_server: dict, phone: Any) -> None:
    """The phone renders pyxform's JSON: the group's label in the phone's language, the group
    shown only while relevant, its required question and per-language constraint message."""
    survey = [
        [
            "type",
            "name",
            "label::中文 (zh)",
            "label::English (en)",
            "relevant",
            "required",
            "constraint",
            "constraint_message::中文 (zh)",
            "constraint_message::English (en)",
        ],
        ["select_one yn", "pets", "养宠物", "Pets", "", "yes", "", "", ""],
        ["begin group", "dog", "犬只", "Dog", "${pets} = 'y'", "", "", "", ""],
        ["integer", "dogs", "犬只数", "Dogs", "", "yes", ". <= 5", "最多 5 只", "At most 5"],
        ["end group", "", "", "", "", "", "", "", ""],
    ]
    choices = [
        ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
        ["yn", "y", "是", "Yes"],
        ["yn", "n", "否", "No"],
    ]
    settings = [["form_id", "form_title", "gridgov_title_en"], ["pets", "宠物登记", "Pets"]]
    engine = make_engine(live_server["url"])
    with Session(engine) as db:
        registry.ensure_installed(db)
        registry.add_module(db, content=xlsx(survey, choices, settings), principal=registry.SHIPPED)
        db.commit()

    page = phone.new_page()
    page.goto(live_server["base"] + "/field/")
    page.locator("#login .lang-switch").click()  # English
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.click("nav button[data-view=forms]")
    page.click("[data-module=pets]")
    form = page.locator("#module-form")
    group = form.locator("fieldset[data-group=dog]")
    assert group.locator("legend").inner_text() == "Dog"
    assert group.is_hidden()
    assert form.locator("[data-field=pets] option[value=y]").inner_text() == "Yes"
    form.locator("select[name=pets]").select_option("y")
    assert group.is_visible()
    assert form.locator("[data-field=dogs] label").inner_text() == "Dogs *"
    form.locator("button[type=submit]").click()
    assert form.locator("[data-field=dogs] .error").inner_text() != ""  # required
    form.locator("input[name=dogs]").fill("7")
    form.locator("button[type=submit]").click()
    assert form.locator("[data-field=dogs] .error").inner_text() == "At most 5"
    form.locator("input[name=dogs]").fill("3")
    form.locator("button[type=submit]").click()
    # The queue may already read 0 before the record is queued: wait for the stored row itself.
    row = None
    for _ in range(120):
        with Session(engine) as db:
            row = db.scalars(
                select(FieldSubmission).where(FieldSubmission.module_code == "pets")
            ).one_or_none()
        if row is not None:
            break
        page.wait_for_timeout(250)
    assert row is not None, "the group module's record never reached the server"
    assert (row.state, row.data) == ("stored", {"pets": "y", "dogs": 3})
    engine.dispose()
