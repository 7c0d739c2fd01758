"""Maps that show something (issue 10): each map's drawing layer has a real size and what the
person sees is not one flat colour; the background map is drawn from the city itself."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import shapely
from playwright.sync_api import expect

from tests.firsthour.site import colours, demo_site, layer_size, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(fresh_database_url, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    with demo_site(url, str(tmp_path_factory.mktemp("media"))) as running:
        yield running


def test_phone_grid_map_shows_the_grid_over_the_base_map(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, passwords = site
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(base + "/field/")
    page.fill("input[name=username]", "grid_worker")
    page.fill("input[name=password]", passwords["grid_worker"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#map .leaflet-overlay-pane svg path")
    # The home view may draw again when the bundle refreshes: read from the map that has it.
    drawn = page.locator("#map[data-basemap]")
    assert int(drawn.get_attribute("data-basemap") or 0) > 0
    width, height = layer_size(page, "#map .leaflet-overlay-pane svg")
    assert width > 200 and height > 200
    assert colours(page, "#map") > 8
    context.close()


def test_city_map_draws_roads_compounds_and_names_under_the_grids(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, passwords = site
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, base, "leader", passwords["leader"])
    page.goto(base + "/")
    page.wait_for_selector("body[data-map-ready='1']")
    for _ in range(2):
        page.click(".leaflet-control-zoom-in")
        page.wait_for_timeout(400)
    page.wait_for_selector(".basemap-label")
    width, height = layer_size(page, ".leaflet-basemap-pane canvas")
    assert width > 600 and height > 400
    labels = page.locator(".basemap-label").all_inner_texts()
    assert any(label.endswith("号") for label in labels)  # compounds named by their address
    assert colours(page, "#map") > 8
    context.close()


def test_resident_places_a_pin_inside_the_city_only(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status >= 400 else None)
    page.goto(base + "/report")
    page.wait_for_selector("#case-map[data-ready='1']")
    page.wait_for_selector("#case-map[data-basemap]")
    assert refused == []  # nothing a resident may not read is asked for
    width, height = layer_size(page, "#case-map .leaflet-overlay-pane svg")
    assert width > 200 and height > 200
    assert colours(page, "#case-map") > 8
    box = page.locator("#case-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 8, box["y"] + box["height"] - 8)  # a corner, outside the city
    assert "不在本市范围内" in page.inner_text("#map-message")
    assert page.input_value("#lng") == ""
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.inner_text("#map-message") == ""
    assert page.input_value("#lng") != "" and page.input_value("#lat") != ""
    context.close()


def test_resident_uses_the_phone_location(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = site
    outline = httpx.get(base + "/map/city.geojson").json()["features"][0]["geometry"]
    centre = shapely.geometry.shape(outline).representative_point()
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        geolocation={"longitude": 0.0, "latitude": 0.0},
        permissions=["geolocation"],
    )
    page: Any = context.new_page()
    page.goto(base + "/report")
    page.wait_for_selector("#case-map[data-ready='1']")
    page.click("#locate-me")
    page.locator("#map-message", has_text="不在本市").wait_for()
    assert page.input_value("#lng") == ""  # far away: refused, nothing set
    context.set_geolocation({"longitude": centre.x, "latitude": centre.y})
    page.click("#locate-me")
    expect(page.locator("#lng")).not_to_have_value("")
    assert float(page.input_value("#lng")) == pytest.approx(centre.x, abs=1e-5)
    assert page.inner_text("#map-message") == ""
    context.close()


def test_leader_finds_a_grid_and_sees_its_working_picture(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, passwords = site
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "leader", passwords["leader"])
    page.goto(base + "/")
    page.wait_for_selector("body[data-map-ready='1']")
    page.fill("#map-search input[name=q]", "420502")
    page.press("#map-search input[name=q]", "Enter")
    first = page.locator("#map-search-results button").first
    first.wait_for()
    code = first.inner_text().split(" · ")[-1]
    page.fill("#map-search input[name=q]", code)
    page.press("#map-search input[name=q]", "Enter")
    page.locator("#map-search-results button", has_text=code).first.click()
    page.wait_for_selector("#grid-panel")
    kinds = page.locator("#grid-panel .kinds li").all_inner_texts()
    assert kinds and any(text.startswith("路灯") for text in kinds)  # per kind, in words
    assert page.get_attribute("#grid-panel a[data-field=open]", "href") == f"/cases?grid={code}"
    page.click("#grid-panel a[data-field=open]")
    page.wait_for_load_state("networkidle")
    assert f"grid={code}" in page.url
    context.close()
