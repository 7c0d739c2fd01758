"""GeoJSON import/export: round trip, and every error path leaves the database unchanged."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.grids.transfer import ImportRejected, export_geojson, import_geojson
from gridgov.models import Region
from gridgov.sim.city import CitySummary

SYSTEM = system_principal("test")


def _snapshot(db: Session) -> list[tuple[str, str, str]]:
    return list(db.execute(select(Region.code, Region.name, Region.geometry).order_by(Region.code)))


def _grid_feature(document: dict[str, Any], level: str = "grid") -> dict[str, Any]:
    return next(f for f in document["features"] if f["properties"]["level"] == level)


def _rejected(db: Session, document: Any) -> list[dict[str, Any]]:
    before = _snapshot(db)
    with pytest.raises(ImportRejected) as caught:
        import_geojson(db, document=document, principal=SYSTEM)
    assert _snapshot(db) == before, "a rejected import changed the database"
    return caught.value.details["problems"]


def test_export_is_a_feature_collection_of_every_region(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    assert document["type"] == "FeatureCollection"
    levels = [f["properties"]["level"] for f in document["features"]]
    assert levels.count("grid") == city.grids
    assert levels.count("overlay") == city.overlays
    overlay = next(f for f in document["features"] if f["properties"]["layer"] == "commerce")
    assert 5 <= len(overlay["properties"]["covers"]) <= 15
    json.dumps(document)


def test_export_then_import_updates_in_place(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    before = _snapshot(db)
    report = import_geojson(db, document=document, principal=SYSTEM)
    assert report.created == 0
    assert report.updated == len(document["features"])
    assert [(c, n) for c, n, _ in _snapshot(db)] == [(c, n) for c, n, _ in before]


def test_a_second_city_on_top_of_the_first_is_rejected(db: Session, city: CitySummary) -> None:
    # The same polygons under another district code: every grid overlaps an existing one.
    text = json.dumps(export_geojson(db, layer="base")).replace('"4205', '"4299')
    problems = _rejected(db, json.loads(text))
    assert len(problems) == city.grids
    assert all("overlaps grid 4205" in p["message_en"] for p in problems)


def test_renamed_grid_is_updated(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    feature = _grid_feature(document)
    feature["properties"]["name"] = "改名网格"
    only = {"type": "FeatureCollection", "features": [feature]}
    assert import_geojson(db, document=only, principal=SYSTEM).updated == 1
    code = feature["properties"]["code"]
    assert db.scalar(select(Region.name).where(Region.code == code)) == "改名网格"


def test_malformed_code_is_rejected(db: Session, city: CitySummary) -> None:
    feature = copy.deepcopy(_grid_feature(export_geojson(db)))
    feature["properties"]["code"] = "42050200100100A"
    problems = _rejected(db, {"type": "FeatureCollection", "features": [feature]})
    assert "Malformed code" in problems[0]["message_en"]


def test_unknown_parent_is_rejected(db: Session, city: CitySummary) -> None:
    feature = copy.deepcopy(_grid_feature(export_geojson(db)))
    feature["properties"]["code"] = "999999999999001"
    problems = _rejected(db, {"type": "FeatureCollection", "features": [feature]})
    assert "Unknown parent region 999999999999" in problems[0]["message_en"]


def test_invalid_polygon_is_rejected(db: Session, city: CitySummary) -> None:
    feature = copy.deepcopy(_grid_feature(export_geojson(db)))
    ring = feature["geometry"]["coordinates"][0]
    # Swap two vertices: a self-intersecting bow tie.
    ring[0], ring[1] = ring[1], ring[0]
    ring[-1] = ring[0]
    problems = _rejected(db, {"type": "FeatureCollection", "features": [feature]})
    assert "invalid polygon" in problems[0]["message_en"]


def test_grid_overlapping_another_is_rejected(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    grids = [f for f in document["features"] if f["properties"]["level"] == "grid"]
    # Give grid 1 the geometry of grid 2 (same community, so it stays inside its parent).
    first, second = (
        grids[0],
        next(
            g
            for g in grids[1:]
            if g["properties"]["code"][:12] == grids[0]["properties"]["code"][:12]
        ),
    )
    moved = copy.deepcopy(first)
    moved["geometry"] = second["geometry"]
    problems = _rejected(db, {"type": "FeatureCollection", "features": [moved]})
    assert any("overlaps grid" in p["message_en"] for p in problems)


def test_grid_outside_its_community_is_rejected(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    feature = copy.deepcopy(_grid_feature(document))
    for point in feature["geometry"]["coordinates"][0]:
        point[0] += 0.5
    problems = _rejected(db, {"type": "FeatureCollection", "features": [feature]})
    assert any("outside its parent" in p["message_en"] for p in problems)


@pytest.mark.parametrize(
    "document",
    [
        {"type": "Feature"},
        {"type": "FeatureCollection", "features": []},
        {"type": "FeatureCollection", "features": [{"type": "Feature"}]},
        [1, 2, 3],
    ],
)
def test_documents_that_are_not_feature_collections_are_rejected(
    db: Session, city: CitySummary, document: Any
) -> None:
    assert _rejected(db, document)


def test_one_bad_feature_rejects_the_whole_file(db: Session, city: CitySummary) -> None:
    document = export_geojson(db)
    good = copy.deepcopy(_grid_feature(document))
    good["properties"]["name"] = "不应写入"
    bad = copy.deepcopy(good)
    bad["properties"]["code"] = "12"
    problems = _rejected(db, {"type": "FeatureCollection", "features": [good, bad]})
    assert len(problems) == 1 and problems[0]["feature"] == 1


def test_duplicate_codes_in_one_file_are_rejected(db: Session, city: CitySummary) -> None:
    feature = _grid_feature(export_geojson(db))
    problems = _rejected(db, {"type": "FeatureCollection", "features": [feature, feature]})
    assert "appears twice" in problems[0]["message_en"]


def test_overlay_covering_unknown_grid_is_rejected(db: Session, city: CitySummary) -> None:
    overlay = copy.deepcopy(
        next(f for f in export_geojson(db)["features"] if f["properties"]["layer"] == "commerce")
    )
    overlay["properties"]["covers"] = ["420502999999999"]
    problems = _rejected(db, {"type": "FeatureCollection", "features": [overlay]})
    assert "unknown grid" in problems[0]["message_en"]
