"""The vector base map drawn from the synthetic city and the public map endpoints."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.config import Mode, Settings
from gridgov.sim.basemap import build_basemap
from gridgov.sim.city import build_city
from gridgov.web.routes import basemap_config


def test_base_map_has_roads_compounds_and_buildings_served_by_zoom(
    client: TestClient, db: Session
) -> None:
    build_city(db, grids=8, seed=2, with_population=True)
    counts = build_basemap(db)
    assert counts["road"] > 0 and counts["lane"] > counts["road"]
    assert counts["compound"] == 8  # one residential compound per grid
    assert counts["building"] >= 8
    city = client.get("/map/city.geojson").json()  # no sign-in: residents place pins
    minx, miny = (
        min(c[i] for c in city["features"][0]["geometry"]["coordinates"][0]) for i in (0, 1)
    )
    maxx, maxy = (
        max(c[i] for c in city["features"][0]["geometry"]["coordinates"][0]) for i in (0, 1)
    )
    bbox = f"{minx},{miny},{maxx},{maxy}"
    far = client.get(f"/map/basemap.geojson?bbox={bbox}&zoom=12").json()["features"]
    assert {f["properties"]["kind"] for f in far} == {"road"}
    near = client.get(f"/map/basemap.geojson?bbox={bbox}&zoom=16").json()["features"]
    kinds = [f["properties"]["kind"] for f in near]
    assert kinds.count("compound") == 8 and kinds.count("building") == counts["building"]
    names = [f["properties"]["name"] for f in near if f["properties"]["kind"] == "compound"]
    assert all(name.endswith("号") for name in names)
    elsewhere = client.get("/map/basemap.geojson?bbox=0,0,1,1&zoom=16").json()["features"]
    assert elsewhere == []
    assert client.get("/map/basemap.geojson?bbox=1,2,x").status_code == 400


def test_tile_source_is_a_setting() -> None:
    assert basemap_config(Settings(mode=Mode.TEST))["vector"] is True
    own = basemap_config(
        Settings(mode=Mode.TEST, map_tile_url="https://tiles.example/{z}/{x}/{y}.png")
    )
    assert own["vector"] is False and own["tiles"][0]["url"].endswith("{y}.png")
    tianditu = basemap_config(Settings(mode=Mode.TEST, map_tianditu_key="abc"))
    urls = [tile["url"] for tile in tianditu["tiles"]]
    assert len(urls) == 2 and all("tk=abc" in url for url in urls)
    assert "T=vec_w" in urls[0] and "T=cva_w" in urls[1]
