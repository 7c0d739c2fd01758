"""The worker sees what the server did with each record sent (issue 16 item 10): a report that
became a case reads "已保存"; a report the server stored but could not turn into a case (located
outside every grid) reads "已保存，但未能生效" with the reason — in Chinese and in English."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser
OUTSIDE = {"longitude": 112.9, "latitude": 31.9, "accuracy": 10}


def report(page: Any, description: str) -> None:
    page.click("nav button[data-view=report]")
    form = page.locator("#report-form")
    form.locator("select[name=category]").select_option("E0101")
    form.locator("textarea[name=description]").fill(description)
    form.locator("button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=20000
    )


def test_the_phone_shows_what_became_of_each_record(live_server: dict, phone: Any) -> None:
    page = phone.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(e))
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")

    report(page, "井盖缺失")  # in the own grid: becomes a case
    phone.set_geolocation(OUTSIDE)
    page.reload()  # forget the last position
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    report(page, "路灯不亮")  # outside every grid: stored, no case
    page.wait_for_function(
        "document.querySelector('#notice').textContent.includes('已保存，但未能生效')"
    )

    page.click("#queue-button")
    page.wait_for_selector("#sent-list li")
    items = page.locator("#sent-list li")
    assert items.count() == 2
    newest, first = items.nth(0), items.nth(1)
    assert newest.get_attribute("data-effect") == "error"
    assert "已保存，但未能生效：" in newest.inner_text()
    assert "不在本市任何网格内" in newest.inner_text()
    assert first.get_attribute("data-effect") == "applied"
    assert first.inner_text().endswith("已保存")

    page.locator("p.foot .lang-switch").click()
    page.wait_for_function(
        "(document.querySelector('#sent-list li strong') || {}).textContent?.startsWith('Stored, but')"
    )
    english = page.locator("#sent-list").inner_text()
    assert "Stored, but it could not take effect: " in english
    assert "lies outside the city's grids" in english
    assert "不在" not in english and "已保存" not in english
    assert errors == []


def test_a_re_sent_report_whose_first_answer_was_lost_shows_the_reason(
    live_server: dict, phone: Any
) -> None:
    # The server stores the report (outside every grid: no case) but its answer never reaches
    # the phone; the phone's re-send is a duplicate that carries the reason again.
    lost: list[int] = []

    def lose_the_first_answer(route: Any) -> None:
        if lost:
            route.continue_()
            return
        route.fetch()  # the server stores the record and answers ...
        lost.append(1)
        route.abort()  # ... but the answer is lost on the way

    phone.route("**/api/v1/field/sync", lose_the_first_answer)
    page = phone.new_page()
    errors: list[Any] = []
    page.on("pageerror", lambda e: errors.append(e))
    phone.set_geolocation(OUTSIDE)
    page.goto(live_server["base"] + "/field/")
    page.fill("input[name=username]", live_server["username"])
    page.fill("input[name=password]", live_server["password"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector(f"#grid-card[data-grid='{live_server['grid']}']")
    page.click("nav button[data-view=report]")
    form = page.locator("#report-form")
    form.locator("select[name=category]").select_option("E0101")
    form.locator("textarea[name=description]").fill("井盖松动")
    form.locator("button[type=submit]").click()
    for _ in range(200):  # the first sync went through the server; its answer was lost
        if lost:
            break
        page.wait_for_timeout(100)
    assert lost == [1]
    page.wait_for_function("document.querySelector('#queue-count').dataset.count === '1'")

    page.click("#queue-button")
    page.get_by_role("button", name="立即同步").click()
    page.wait_for_function(
        "document.querySelector('#queue-count').dataset.count === '0'", timeout=20000
    )
    page.click("#queue-button")
    newest = page.locator("#sent-list li").first
    assert newest.get_attribute("data-status") == "duplicate"
    assert newest.get_attribute("data-effect") == "error"
    assert "已保存，但未能生效：" in newest.inner_text()
    assert "不在本市任何网格内" in newest.inner_text()
    assert errors == []
