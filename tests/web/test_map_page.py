"""The city map in Debian's chromium: sign in, see every boundary level, click a grid."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models import Region
from gridgov.sim.city import build_city
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.live import live_server, server_settings

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def map_site(fresh_database_url) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=24, seed=4, with_population=True)
        create_user(session, role=Role.LEADER, username="mapleader")
        grid = session.scalars(select(Region).where(Region.level == "grid")).first()
        assert grid is not None
        session.commit()
        target = grid.code
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base, target


def test_map_requires_sign_in_then_shows_a_grid_on_click(map_site, browser) -> None:  # type: ignore[no-untyped-def]
    base, code = map_site
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    page.goto(base + "/")
    assert "/login" in page.url
    page.fill("input[name=username]", "mapleader")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", state="attached", timeout=20_000)
    # Every level was drawn: district labels and one path per grid at least.
    assert page.locator(".region-label").count() >= 1
    # Click inside the target grid: its representative point, projected by Leaflet.
    feature = page.evaluate("code => fetch('/api/v1/regions/' + code).then(r => r.json())", code)
    point = page.evaluate(
        """([lat, lng]) => { const p = window.gridgovMap.latLngToContainerPoint([lat, lng]);
                             const r = document.getElementById('map').getBoundingClientRect();
                             return [p.x + r.left, p.y + r.top]; }""",
        [feature["center_lat"], feature["center_lng"]],
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_selector("#region-body [data-field='code']")
    assert page.inner_text("#region-body [data-field='code']") == code
    assert int(page.inner_text("#region-body [data-field='households']")) >= 200
    assert page.inner_text("#region-body [data-field='worker']").strip() != ""
    assert "网格" in page.inner_text("#region-body")


def test_map_speaks_english_on_request(map_site, browser) -> None:  # type: ignore[no-untyped-def]
    base, _ = map_site
    page = browser.new_page()
    page.goto(base + "/login?lang=en")
    page.fill("input[name=username]", "mapleader")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-map-ready='1']", state="attached", timeout=20_000)
    assert "Grid map" in page.inner_text("header")


def test_geojson_layers_match_the_database(map_site) -> None:  # type: ignore[no-untyped-def]
    base, code = map_site
    import httpx

    token = httpx.post(
        base + "/api/v1/auth/token", json={"username": "mapleader", "password": DEFAULT_PASSWORD}
    ).json()["access_token"]
    grids = httpx.get(
        base + "/api/v1/regions.geojson?level=grid", headers={"Authorization": f"Bearer {token}"}
    ).json()
    assert len(grids["features"]) == 24
    assert code in {f["properties"]["code"] for f in grids["features"]}
    assert all(shape(f["geometry"]).is_valid for f in grids["features"])
    json.dumps(grids)
