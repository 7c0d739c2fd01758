"""The dashboard in Debian's chromium on a 1920×1080 wall and a 1366×768 laptop: the map is
drawn, layers toggle, charts are drawn, drill-down reaches a grid, and the console stays clean."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.sim.cases import simulate_cases
from gridgov.sim.city import build_city
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=24, seed=4, with_population=True)
        simulate_cases(session, seed=3, count=800, days=20)
        create_user(session, role=Role.LEADER, username="dashleader")
        session.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base


def _open(browser: Any, base: str, width: int, height: int) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "/login?next=/dashboard")
    page.fill("input[name=username]", "dashleader")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    page.wait_for_selector("body[data-dash-ready]", state="attached", timeout=30_000)
    return page, errors


def _not_one_colour(page: Any, selector: str) -> None:
    """The canvases drawn inside ``selector`` show more than a handful of colours."""
    colours = page.evaluate(
        """(selector) => {
          const seen = new Set();
          for (const canvas of document.querySelectorAll(selector + ' canvas')) {
            if (!canvas.width || !canvas.height) continue;
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 0; i < data.length; i += 4 * 7) seen.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2] | data[i + 3] << 24);
          }
          return seen.size;
        }""",
        selector,
    )
    assert colours > 5, f"{selector} looks blank ({colours} colours)"


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_dashboard_draws_everything_and_drills_down(site, browser, size) -> None:  # type: ignore[no-untyped-def]
    page, errors = _open(browser, site, *size)
    # The map's drawing layer has a real size and is not blank; every chart canvas is drawn.
    canvas = page.locator("#dash-map .leaflet-overlay-pane canvas").first.bounding_box()
    assert canvas["width"] > 500 and canvas["height"] > 400
    _not_one_colour(page, "#dash-map")
    for chart in ("#chart-channels", "#chart-trend", "#chart-overdue", "#chart-ranking"):
        assert page.locator(chart + " canvas").count() == 1
        _not_one_colour(page, chart)
        chart_box = page.locator(chart).bounding_box()
        assert chart_box["height"] >= 100
    assert page.locator(".kpi").count() == 8
    # The channels' legend wraps (no pager cutting names to "O…"); the plot starts below it.
    legend = page.evaluate(
        """() => { const o = echarts.getInstanceByDom(document.getElementById('chart-channels'))
          .getOption(); return [o.legend[0].type, o.series.length, o.grid[0].top]; }"""
    )
    assert legend[0] == "plain" and legend[1] >= 5 and legend[2] >= 2 * 16 + 8
    persons = page.inner_text("[data-kpi='dash.kpi.persons'] b").replace(",", "")
    assert int(persons) > 1000
    # Every count fits its tile (the persons' 16,496 ran over its box at 1920).
    spill = page.evaluate(
        """() => [...document.querySelectorAll('.kpi b')]
          .filter((b) => b.scrollWidth > b.clientWidth + 1
            || b.getBoundingClientRect().right > b.parentElement.getBoundingClientRect().right)
          .map((b) => b.textContent)"""
    )
    assert spill == []
    # Whole page fits the screen (no scrolling on a wall).
    assert page.evaluate("document.documentElement.scrollHeight") <= size[1] + 1
    # Layers toggle: cameras clustered on, open-case heat off.
    assert int(page.evaluate("document.body.dataset.heatPoints")) > 0
    on_map = "(k) => { const d = window.gridgovDashboard; const l = d.facilityLayers[k]; return !!l && d.map.hasLayer(l); }"
    page.check("input[data-layer='camera']")
    _wait(page, f"({on_map})('camera')")
    cameras = page.evaluate("window.gridgovDashboard.facilityLayers.camera.getLayers().length")
    assert cameras > 10
    page.uncheck("input[data-layer='camera']")
    assert page.evaluate(f"({on_map})('camera')") is False
    page.uncheck("input[data-layer='case_heat']")
    # Drill down: district → street → community → grid, by clicking each region's centre.
    for expected_crumbs in (2, 3, 4):
        ready = int(page.evaluate("document.body.dataset.dashReady"))
        _click_first_region(page)
        _wait(page, f"Number(document.body.dataset.dashReady) > {ready}")
        assert page.locator("#crumbs a").count() == expected_crumbs
    _click_first_region(page)
    page.wait_for_selector("#grid-panel [data-field='grid-name']")
    code = page.evaluate("document.body.dataset.gridShown")
    assert len(code) == 15
    assert page.inner_text("#grid-panel [data-field='worker']").strip() not in ("", "暂无")
    # Back up to the city through the breadcrumb.
    ready = int(page.evaluate("document.body.dataset.dashReady"))
    page.click("#crumbs a[data-code='']")
    _wait(page, f"Number(document.body.dataset.dashReady) > {ready}")
    assert page.locator("#crumbs a").count() == 1
    # Big-screen mode hides the top bar and keeps the map drawn.
    page.click("#bigscreen")
    assert page.locator("header.topbar").is_hidden()
    assert errors == []
    page.close()


def _wait(page: Any, expression: str, timeout: float = 20.0) -> None:
    """Poll an expression (the page's CSP forbids the eval behind wait_for_function)."""
    import time

    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def _click_first_region(page: Any) -> None:
    """Click the representative point of the first region the map shows."""
    point = page.evaluate(
        """() => {
          const d = window.gridgovDashboard;
          let target = null;
          d.map.eachLayer((l) => { if (!target && l.feature && l.feature.geometry) target = l; });
          const c = target.getBounds().getCenter();
          const p = d.map.latLngToContainerPoint(c);
          const r = document.getElementById('dash-map').getBoundingClientRect();
          return [p.x + r.left, p.y + r.top];
        }"""
    )
    page.mouse.click(point[0], point[1])
