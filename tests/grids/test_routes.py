"""The grid API through real sign-ins."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models import Region
from gridgov.sim.city import CitySummary, build_city
from tests.factories import auth_headers, create_user


@pytest.fixture
def headers(client: TestClient, db: Session, city: CitySummary) -> dict[str, str]:
    return auth_headers(client, create_user(db, role=Role.LEADER))


def _grid(db: Session, index: int = 0) -> Region:
    return list(db.scalars(select(Region).where(Region.level == "grid").order_by(Region.code)))[
        index
    ]


def test_every_grid_route_needs_a_signed_in_user(client: TestClient, city: CitySummary) -> None:
    for path in (
        "/api/v1/regions",
        "/api/v1/regions.geojson",
        "/api/v1/regions/420502",
        "/api/v1/locate?lng=111.3&lat=30.7",
    ):
        assert client.get(path).status_code == 401, path


def test_region_tree_by_level_and_parent(client: TestClient, headers: dict[str, str]) -> None:
    districts = client.get("/api/v1/regions?level=district", headers=headers).json()
    assert districts["total"] >= 1
    district = districts["items"][0]["code"]
    streets = client.get(f"/api/v1/regions?level=street&parent={district}", headers=headers).json()
    assert streets["total"] >= 1
    assert all(s["code"].startswith(district) and len(s["code"]) == 9 for s in streets["items"])
    grids = client.get(
        f"/api/v1/regions?level=grid&parent={district}&limit=1000", headers=headers
    ).json()
    assert all(len(g["code"]) == 15 for g in grids["items"])
    assert client.get("/api/v1/regions?parent=999999", headers=headers).status_code == 404
    assert client.get("/api/v1/regions?level=planet", headers=headers).status_code == 422


def test_region_detail_has_counts_worker_and_overlay(
    client: TestClient, headers: dict[str, str], db: Session
) -> None:
    grid = _grid(db)
    body = client.get(f"/api/v1/regions/{grid.code}", headers=headers).json()
    assert body["code"] == grid.code and body["level"] == "grid"
    assert [a["level"] for a in body["ancestors"]] == ["district", "street", "community"]
    assert body["parent_code"] == grid.code[:12]
    assert body["worker"]["staff_no"].startswith("W")
    assert body["counts"]["facilities"] > 0
    assert body["counts"]["grids"] == 1
    assert len(body["covered_by"]) == 1
    overlay = body["covered_by"][0]["code"]
    covered = client.get(f"/api/v1/overlays/{overlay}/grids", headers=headers).json()
    assert grid.code in [g["code"] for g in covered]
    assert 5 <= len(covered) <= 15
    reverse = client.get(f"/api/v1/regions/{grid.code}/overlays", headers=headers).json()
    assert [o["code"] for o in reverse] == [overlay]
    overlay_detail = client.get(f"/api/v1/regions/{overlay}", headers=headers).json()
    assert overlay_detail["worker"]["staff_no"].startswith("I")
    assert len(overlay_detail["covers"]) == len(covered)

    district = client.get(f"/api/v1/regions/{grid.code[:6]}", headers=headers).json()
    assert district["counts"]["grids"] > 1
    assert district["counts"]["facilities"] >= body["counts"]["facilities"]
    missing = client.get("/api/v1/regions/420599", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["message"].startswith("区域")


def test_geojson_is_a_valid_feature_collection(
    client: TestClient, headers: dict[str, str], city: CitySummary
) -> None:
    response = client.get("/api/v1/regions.geojson?level=grid", headers=headers)
    assert response.headers["content-type"].startswith("application/geo+json")
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == city.grids
    for feature in collection["features"]:
        assert shape(feature["geometry"]).is_valid
        assert len(feature["properties"]["code"]) == 15
    overlays = client.get("/api/v1/regions.geojson?layer=commerce", headers=headers).json()
    assert len(overlays["features"]) == city.overlays
    assert (
        client.get("/api/v1/regions.geojson?layer=commerce&level=grid", headers=headers).status_code
        == 400
    )


def test_locate_finds_the_grid_and_its_ancestors(
    client: TestClient, headers: dict[str, str], db: Session
) -> None:
    grid = _grid(db, 3)
    centre = shape(json.loads(grid.geometry)).representative_point()
    body = client.get(f"/api/v1/locate?lng={centre.x}&lat={centre.y}", headers=headers).json()
    assert body["grid"]["code"] == grid.code
    assert body["community"]["code"] == grid.code[:12]
    assert body["street"]["code"] == grid.code[:9]
    assert body["district"]["code"] == grid.code[:6]


def test_a_vertex_shared_by_grids_resolves_to_exactly_one(
    client: TestClient, headers: dict[str, str], db: Session
) -> None:
    grids = list(db.scalars(select(Region).where(Region.level == "grid")))
    shapes = {g.code: shape(json.loads(g.geometry)) for g in grids}
    first = shapes[grids[0].code]
    vertex = first.exterior.coords[0]
    owners = [
        code
        for code, s in shapes.items()
        if s.intersects(shape({"type": "Point", "coordinates": vertex}))
    ]
    body = client.get(f"/api/v1/locate?lng={vertex[0]}&lat={vertex[1]}", headers=headers).json()
    assert body["grid"]["code"] == min(owners)


def test_points_outside_the_city_get_a_clear_404(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/api/v1/locate?lng=116.4&lat=39.9", headers=headers)
    assert response.status_code == 404
    assert "outside every grid" in response.json()["message_en"]
    assert client.get("/api/v1/locate?lng=500&lat=30", headers=headers).status_code == 422
    assert client.get("/api/v1/locate?lng=abc&lat=30", headers=headers).status_code == 422


def test_reassigning_a_worker_needs_a_system_admin_and_keeps_history(
    client: TestClient, db: Session, city: CitySummary
) -> None:
    grid_a, grid_b = _grid(db, 0), _grid(db, 1)
    leader = auth_headers(client, create_user(db, role=Role.LEADER))
    admin = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    worker_b = client.get(f"/api/v1/regions/{grid_b.code}", headers=leader).json()["worker"]
    body = {"staff_no": worker_b["staff_no"], "reason": "调岗"}
    assert (
        client.put(f"/api/v1/regions/{grid_a.code}/worker", json=body, headers=leader).status_code
        == 403
    )
    response = client.put(f"/api/v1/regions/{grid_a.code}/worker", json=body, headers=admin)
    assert response.status_code == 200, response.text
    history = response.json()
    assert (
        history[0]["staff"]["staff_no"] == worker_b["staff_no"] and history[0]["ended_at"] is None
    )
    assert history[1]["ended_at"] is not None
    assert client.get(f"/api/v1/regions/{grid_b.code}", headers=leader).json()["worker"] is None
    again = client.put(f"/api/v1/regions/{grid_a.code}/worker", json=body, headers=admin)
    assert again.status_code == 409
    community = client.put(f"/api/v1/regions/{grid_a.code[:12]}/worker", json=body, headers=admin)
    assert community.status_code == 400
    assert (
        client.put(
            f"/api/v1/regions/{grid_a.code}/worker", json={"staff_no": ""}, headers=admin
        ).status_code
        == 422
    )


def test_region_counts_include_the_population(client: TestClient, db: Session) -> None:
    build_city(db, grids=6, seed=11, with_population=True)
    headers = auth_headers(client, create_user(db, role=Role.LEADER))
    district = db.scalar(select(Region.code).where(Region.level == "district"))
    grid = db.scalar(select(Region.code).where(Region.level == "grid").order_by(Region.code))
    city = client.get(f"/api/v1/regions/{district}", headers=headers).json()["counts"]
    one = client.get(f"/api/v1/regions/{grid}", headers=headers).json()["counts"]
    assert 6 * 200 <= city["households"] <= 6 * 300
    assert 2.3 <= city["persons"] / city["households"] <= 3.1
    assert 200 <= one["households"] <= 300
    assert 0 < city["population"]["floating_share"] < 0.5
    overlay = client.get("/api/v1/regions.geojson?layer=commerce", headers=headers).json()
    code = overlay["features"][0]["properties"]["code"]
    covered = client.get(f"/api/v1/regions/{code}", headers=headers).json()["counts"]
    assert covered["households"] == city["households"]  # one overlay covers all six grids
