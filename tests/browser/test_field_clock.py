"""A phone whose clock is set hours ahead: the patrol starts (taken as starting now on the
server), its points are refused one by one instead of adding time that has not passed, and the
worker is told to set the clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gridgov.fieldwork.patrols.service import local_day, utc
from tests.browser.test_field_patrol import next_point, stored

pytestmark = pytest.mark.browser


def test_points_from_a_clock_set_ahead_are_not_counted(live_server: dict, phone: Any) -> None:
    page = phone.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(e))
    page.clock.install(time=datetime.now(UTC) + timedelta(hours=3))
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)

    page.click("nav button[data-view=patrol]")
    page.click("#patrol-start")
    page.wait_for_selector("#patrol-info[data-count='1']")
    for _ in range(9):
        next_point(page)
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=15000
    )
    page.wait_for_function(
        "document.querySelector('#notice').textContent.includes('手机时间不准')", timeout=15000
    )
    # The server's flag stays on screen: how far the phone's clock is off, in minutes.
    page.wait_for_selector("#clock-flag")
    flag = page.locator("#clock-flag")
    assert int(flag.get_attribute("data-drift") or 0) > 2 * 3600
    assert "手机时间比服务器快约 1" in flag.inner_text()  # ~180 minutes
    assert "巡查时长按服务器时间计算" in flag.inner_text()
    page.locator("p.foot .lang-switch").click()
    page.wait_for_function(
        "(document.querySelector('#clock-flag') || {}).textContent?.includes('min ahead of the server')"
    )
    patrol = stored(live_server["url"])
    assert patrol is not None
    assert (patrol.point_count, patrol.seconds_inside) == (0, 0)
    # Started when the server says, not three hours on (which could be tomorrow's duty).
    assert abs(utc(patrol.started_at) - datetime.now(UTC)) < timedelta(minutes=5)
    assert patrol.day == local_day(datetime.now(UTC))
    assert errors == []
