"""The city as stored: what the API and every other domain read."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.grids.facilities import FACILITY_KINDS
from gridgov.kit.errors import Conflict
from gridgov.models import Assignment, Facility, OverlayCoverage, Region, Staff
from gridgov.sim.city import CitySummary, build_city
from tests.grids.conftest import SMALL_CITY_GRIDS


def _shapes(db: Session, level: str) -> dict[str, shapely.Geometry]:
    rows = db.execute(select(Region.code, Region.geometry).where(Region.level == level))
    return {code: shape(json.loads(geometry)) for code, geometry in rows}


def test_stored_grids_tile_and_nest(db: Session, city: CitySummary) -> None:
    grids = _shapes(db, "grid")
    communities = _shapes(db, "community")
    assert len(grids) == SMALL_CITY_GRIDS == city.grids
    union = shapely.union_all(list(grids.values()))
    assert union.geom_type == "Polygon" and not union.interiors
    assert sum(g.area for g in grids.values()) == pytest.approx(union.area, rel=1e-9)
    for code, community in communities.items():
        members = [g for c, g in grids.items() if c.startswith(code)]
        assert members, f"community {code} has no grid"
        assert shapely.symmetric_difference(community, shapely.union_all(members)).area < 1e-12


def test_every_region_points_at_its_parent(db: Session, city: CitySummary) -> None:
    parent = Region.__table__.alias("parent")
    rows = db.execute(
        select(Region.code, Region.level, parent.c.code)
        .select_from(Region)
        .outerjoin(parent, parent.c.id == Region.parent_id)
        .where(Region.layer == "base")
    ).all()
    for code, level, parent_code in rows:
        if level == "district":
            assert parent_code is None
        else:
            assert parent_code == code[:-3]


def test_one_open_assignment_per_grid_and_overlay(db: Session, city: CitySummary) -> None:
    open_assignments = db.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_(None))
    )
    assert open_assignments == city.grids + city.overlays
    assert db.scalar(select(func.count()).select_from(Staff)) == city.grids + city.overlays


def test_overlays_cover_5_to_15_grids(db: Session, city: CitySummary) -> None:
    counts = db.execute(
        select(OverlayCoverage.overlay_id, func.count()).group_by(OverlayCoverage.overlay_id)
    ).all()
    assert len(counts) == city.overlays == 5
    assert all(5 <= n <= 15 for _, n in counts)
    covered = db.scalar(select(func.count(func.distinct(OverlayCoverage.grid_id))))
    assert covered == city.grids


def test_facilities_stand_inside_their_grid_with_component_codes(
    db: Session, city: CitySummary
) -> None:
    grids = _shapes(db, "grid")
    facilities = db.execute(
        select(Facility.code, Facility.kind, Facility.grid_code, Facility.lng, Facility.lat)
    ).all()
    assert len(facilities) == city.facilities
    assert {"street_lamp", "fire_hydrant", "camera", "water_manhole"} <= {
        f.kind for f in facilities
    }
    for code, kind, grid_code, lng, lat in facilities:
        assert len(code) == 16 and code.isdigit()
        assert code[:6] == grid_code[:6]
        assert code[6:10] == FACILITY_KINDS[kind].class_code
        assert grids[grid_code].contains(shapely.Point(lng, lat))
    per_grid = city.facilities / city.grids
    assert 40 < per_grid < 120


def test_a_city_is_not_generated_twice(db: Session, city: CitySummary) -> None:
    with pytest.raises(Conflict):
        build_city(db, grids=10, seed=1, with_population=False)
