"""A tiny city for scope tests: one district, two streets, communities, grids and an overlay."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from gridgov.models.region import OverlayCoverage, Region

_SQUARE = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[111.0, 30.0], [111.01, 30.0], [111.01, 30.01], [111.0, 30.01], [111.0, 30.0]]
        ],
    }
)


def make_region(
    db: Session, *, code: str, level: str, parent: Region | None = None, layer: str = "base"
) -> Region:
    region = Region(
        code=code,
        name=f"区域{code}",
        level=level,
        layer=layer,
        parent_id=parent.id if parent else None,
        geometry=_SQUARE,
        min_lng=111.0,
        min_lat=30.0,
        max_lng=111.01,
        max_lat=30.01,
        center_lng=111.005,
        center_lat=30.005,
        area_m2=1.0,
    )
    db.add(region)
    db.flush()
    return region


def make_overlay(db: Session, *, code: str = "GS420599001") -> tuple[Region, list[Region]]:
    """An overlay region covering two grids of a fresh community (district 420599)."""
    district = make_region(db, code="420599", level="district")
    street = make_region(db, code="420599001", level="street", parent=district)
    community = make_region(db, code="420599001001", level="community", parent=street)
    grids = [
        make_region(db, code=f"420599001001{n:03d}", level="grid", parent=community) for n in (1, 2)
    ]
    make_region(db, code="420599001001003", level="grid", parent=community)
    overlay = make_region(db, code=code, level="overlay", layer="commerce")
    for grid in grids:
        db.add(OverlayCoverage(overlay_id=overlay.id, grid_id=grid.id))
    db.flush()
    return overlay, grids
