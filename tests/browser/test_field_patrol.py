"""A patrol on a phone: the worker starts it inside the own grid, the app records a position every
30 seconds (time made to pass with Playwright's clock), the first ten go out at once, the next
ones are taken without signal (a short walk outside the grid among them) and wait in the queue,
the patrol ends online; the worker sees the minutes inside the grid, and so does the supervisor,
on the track map of /field/supervise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.patrol import Patrol
from tests.browser.conftest import PASSWORD
from tests.factories import create_user
from tests.fieldwork.conftest import INSIDE, OUTSIDE

pytestmark = pytest.mark.browser
STEP_MS = 30_000


def at(place: tuple[float, float]) -> dict[str, float]:
    return {"longitude": place[0], "latitude": place[1], "accuracy": 8}


def count(page: Any) -> int:
    return int(page.locator("#patrol-info").get_attribute("data-count"))


def next_point(page: Any) -> None:
    """30 seconds pass: the app's timer takes one more position."""
    before = count(page)
    page.clock.run_for(STEP_MS)
    page.wait_for_function(
        f"Number(document.querySelector('#patrol-info').dataset.count) === {before + 1}"
    )


def stored(url: str) -> Patrol | None:
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            return db.scalars(select(Patrol)).first()
    finally:
        engine.dispose()


def test_patrol_with_offline_points_and_supervisor_track(live_server: dict, phone: Any) -> None:
    engine = make_engine(live_server["url"])
    with Session(engine) as db:
        supervisor = create_user(
            db, role=Role.COMMUNITY_STAFF, region_code=live_server["grid"][:12], password=PASSWORD
        )
        supervisor_name = supervisor.username
    engine.dispose()

    page = phone.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(e))
    # Fake timers from the start; the clock runs on its own until paused below. It starts a
    # quarter of an hour back: the walk below makes 10.5 minutes pass on the phone in a few
    # seconds, and the server refuses points dated after its own clock (+ 5 minutes).
    page.clock.install(time=datetime.now(UTC) - timedelta(minutes=15))
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.wait_for_selector("#duty[data-seconds='0']")
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # Unix seconds

    page.click("nav button[data-view=patrol]")
    page.click("#patrol-start")
    page.wait_for_selector("#patrol-info[data-count='1']")
    for _ in range(9):
        next_point(page)
    # Ten points make a batch: it goes out at once and the server counts 9 × 30 s inside.
    page.wait_for_selector("#duty[data-seconds='270']", timeout=15000)
    page.wait_for_selector("#patrol-server[data-points='10']")
    assert "4 分钟" in page.locator("#duty").inner_text()

    # No signal: six more points inside, two outside the grid, two back inside.
    phone.set_offline(True)
    page.wait_for_function("document.querySelector('#net').classList.contains('off')")
    for _ in range(6):
        next_point(page)
    phone.set_geolocation(at(OUTSIDE))
    for _ in range(2):
        next_point(page)
    phone.set_geolocation(at(INSIDE))
    for _ in range(2):
        next_point(page)
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '1'")
    patrol = stored(live_server["url"])
    assert patrol is not None and patrol.point_count == 10  # the rest waits on the phone

    # Signal again: the queued batch goes out; then the worker ends the patrol 5 s later.
    phone.set_offline(False)
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=15000
    )
    page.clock.run_for(5000)
    page.click("#patrol-end")
    page.wait_for_selector("#patrol-start")
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=15000
    )
    # Inside: 15 × 30 s, half of each crossing (2 × 15 s), 30 s, and the last 5 s = 515 s.
    page.wait_for_selector("#duty[data-seconds='515']", timeout=15000)
    assert "8 分钟 / 180 分钟" in page.locator("#duty").inner_text()
    patrol = stored(live_server["url"])
    assert patrol is not None
    assert (patrol.point_count, patrol.seconds_inside) == (21, 515)
    assert patrol.ended_at is not None
    day = patrol.day.isoformat()

    # The supervisor, on a desktop browser, picks the worker and the day and sees the track.
    desk = phone.browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        office = desk.new_page()
        office.on("pageerror", lambda e: errors.append(e))
        office.goto(live_server["base"] + "/login?next=/field/supervise")
        office.fill("#username", supervisor_name)
        office.fill("#password", PASSWORD)
        office.click("form.stack button[type=submit], form.stack button")
        office.wait_for_selector("#duty")
        office.goto(live_server["base"] + f"/field/supervise?day={day}")
        office.select_option("#track-picker select[name=worker]", label=None, index=1)
        office.click("#track-picker button")
        office.wait_for_selector("#track-map[data-ready='1']")
        assert office.locator("#track-inside").get_attribute("data-seconds") == "515"
        assert office.locator("#track-inside").inner_text() == "8"
        # Outside: half of each crossing and the 30 s between the two points outside = 60 s.
        assert office.locator("#track-outside").get_attribute("data-seconds") == "60"
        assert office.locator("#track-map path.track-line").count() == 1
        assert office.locator("#track-map path.track-out").count() == 2
        assert office.locator("#track-map path.track-in").count() == 19
        assert office.locator("#track-map path.leaflet-interactive").count() >= 22  # + the grid
    finally:
        desk.close()
    assert errors == []
