"""The whole loop through the interface only (issue 10), on demo data: a resident reports with a
pin and follows the case; the clerk registers, the dispatcher dispatches, the department's
handler accepts and asks for more time, the shift leader approves it from the approvals inbox,
the handler reports back with a photo, the grid worker verifies on the phone (offline, then
synced), the community's supervisor opens that record in the submissions browser, the shift
leader closes the case, and the resident sees it closed and says it is fixed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from gridgov.models.region import Region
from gridgov.models.user import User
from tests.firsthour.site import demo_site, sign_in

pytestmark = pytest.mark.browser
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.fixture(scope="module")
def site(fresh_database_url, tmp_path_factory) -> Iterator[tuple[str, dict[str, str], str]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    with demo_site(url, str(tmp_path_factory.mktemp("media"))) as (base, passwords):
        yield base, passwords, url


def _worker_grid(url: str) -> tuple[str, float, float]:
    engine = create_engine(url)
    with engine.connect() as conn:
        code = conn.scalar(select(User.region_code).where(User.username == "grid_worker"))
        grid = conn.execute(
            select(Region.code, Region.center_lng, Region.center_lat).where(Region.code == code)
        ).one()
    engine.dispose()
    return grid.code, grid.center_lng, grid.center_lat


def _desk(browser: Any, base: str, username: str, password: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, username, password)
    return page


def _open_case(page: Any, base: str, listing: str, number: str) -> None:
    page.goto(base + listing)
    page.click(f"a:text-is('{number}')")
    page.wait_for_selector("h1")


def _move(page: Any, move: str, **fields: str) -> None:
    form = page.locator(f"form[data-move='{move}']")
    for name, value in fields.items():
        form.locator(f"[name='{name}']").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def test_report_to_closure_through_the_interface(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, passwords, url = site
    grid_code, lng, lat = _worker_grid(url)

    # Resident: report with a pin in the demo worker's grid, then the tracking page.
    resident = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = resident.new_page()
    page.goto(base + "/report")
    page.wait_for_selector("#case-map[data-ready='1']")
    page.select_option("#category_code", "E0102")
    page.fill("#description", "小区门口垃圾堆了三天")
    page.evaluate(f"gridgovCaseMap.setView([{lat}, {lng}], 16)")
    point = page.evaluate(f"gridgovCaseMap.latLngToContainerPoint([{lat}, {lng}])")
    box = page.locator("#case-map").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    assert page.input_value("#lng") != ""
    page.click("form[action='/report'] button[type=submit]")
    page.wait_for_url("**/track?number=*")
    number = page.url.split("number=")[1].split("&")[0]
    assert number in page.inner_text("main")

    clerk = _desk(browser, base, "intake_clerk", passwords["intake_clerk"])
    _open_case(clerk, base, "/cases/queue", number)
    assert grid_code in clerk.inner_text("main")
    _move(clerk, "register")

    dispatcher = _desk(browser, base, "dispatcher", passwords["dispatcher"])
    _open_case(dispatcher, base, "/cases/queue", number)
    department = dispatcher.locator(
        "form[data-move='dispatch'] select[name=department_code]"
    ).input_value()
    _move(dispatcher, "dispatch")

    handler_name = f"handler_{department.lower()}"
    handler = _desk(browser, base, handler_name, passwords[handler_name])
    _open_case(handler, base, "/cases/inbox", number)
    _move(handler, "accept")
    _move(handler, "request_extension", amount="1", note="需要调运垃圾车")

    leader = _desk(browser, base, "shift_leader", passwords["shift_leader"])
    leader.locator(".nav-badge", has_text=re.compile(r"\d")).wait_for()
    leader.click("a[href='/cases/approvals']")
    row = leader.locator(f"tr[data-case='{number}'][data-kind='extension']")
    assert "需要调运垃圾车" in row.inner_text()
    row.locator("button[value=approve]").click()
    leader.wait_for_load_state("networkidle")
    assert leader.locator(f"tr[data-case='{number}']").count() == 0

    handler.reload()
    feedback = handler.locator("form[data-move='feedback']")
    feedback.locator("input[type=file]").set_input_files(
        files=[{"name": "done.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    _move(handler, "feedback", note="已清运")
    assert handler.locator(".photos img").count() == 1

    # The grid worker verifies on the phone, without signal, and the app syncs later.
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    app = phone.new_page()
    app.goto(base + "/field/")
    app.fill("input[name=username]", "grid_worker")
    app.fill("input[name=password]", passwords["grid_worker"])
    app.click("#login-form button[type=submit]")
    app.wait_for_selector(f"#grid-card[data-grid='{grid_code}']")
    app.click("nav button[data-view=tasks]")
    task = app.locator(".task", has_text=number)
    task.wait_for()
    phone.set_offline(True)
    task.locator("button.primary").click()
    app.select_option("select[name=result]", "pass")
    app.fill("textarea[name=note]", "现场已清理干净")
    app.set_input_files(
        "#main form input[name=photos]",
        files=[{"name": "site.jpg", "mimeType": "image/jpeg", "buffer": JPEG}],
    )
    app.click("#main form button[type=submit]")
    app.locator("#queue-count[data-count='1']").wait_for()
    phone.set_offline(False)
    app.locator("#queue-count[data-count='0']").wait_for(timeout=20000)

    # The community's supervisor finds the phone's record in the submissions browser.
    supervisor = _desk(browser, base, "community_staff", passwords["community_staff"])
    supervisor.click("a[href='/field/submissions']")
    supervisor.locator("#submissions-map[data-ready='1']").wait_for()
    supervisor.locator("#submissions tbody a").first.click()
    supervisor.wait_for_load_state("networkidle")
    assert "现场已清理干净" in supervisor.inner_text("#submission-fields")
    supervisor.context.close()

    leader.goto(base + "/cases/queue")
    _open_case(leader, base, "/cases/queue", number)
    _move(leader, "close", note="已办结")
    assert "已结案" in leader.inner_text("h1")

    page.goto(base + f"/track?number={number}")
    assert "已结案" in page.inner_text("#track-state")
    steps = page.locator("#track-steps li").evaluate_all("items => items.map(i => i.dataset.move)")
    assert steps[0] == "report" and steps[-1] == "close" and "feedback" in steps
    assert page.locator("#track-photos img").count() == 2  # the handler's and the worker's
    page.check("input[name=fixed][value=yes]")
    page.select_option("#satisfaction", "5")
    page.click("#questionnaire button[type=submit]")
    assert "非常满意" in page.inner_text("#track-answer")
    for context in (
        resident,
        clerk.context,
        dispatcher.context,
        handler.context,
        leader.context,
        phone,
    ):
        context.close()
