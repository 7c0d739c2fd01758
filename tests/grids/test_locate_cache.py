"""The point-location index is cached per process; writes to regions drop it at once."""

from __future__ import annotations

from shapely.geometry import box
from sqlalchemy import insert
from sqlalchemy.orm import Session

from gridgov.grids import service
from gridgov.grids.geometry import to_geojson
from gridgov.models import Region
from gridgov.sim.city import CitySummary


def _grid_row(code: str, cell) -> dict[str, object]:  # type: ignore[no-untyped-def]
    minx, miny, maxx, maxy = cell.bounds
    return {
        "code": code, "name": code, "level": "grid", "layer": "base",
        "geometry": to_geojson(cell), "min_lng": minx, "min_lat": miny, "max_lng": maxx,
        "max_lat": maxy, "center_lng": cell.centroid.x, "center_lat": cell.centroid.y, "area_m2": 1.0,
    }  # fmt: skip


def test_grids_added_in_bulk_or_by_the_orm_are_located_at_once(
    db: Session, city: CitySummary
) -> None:
    assert service.locate(db, lng=100.05, lat=20.05) is None  # index built and cached now
    db.execute(insert(Region), [_grid_row("990000000000001", box(100, 20, 100.1, 20.1))])
    located = service.locate(db, lng=100.05, lat=20.05)
    assert located is not None and located.grid.code == "990000000000001"

    db.add(Region(**_grid_row("990000000000002", box(101, 20, 101.1, 20.1))))
    db.flush()
    located = service.locate(db, lng=101.05, lat=20.05)
    assert located is not None and located.grid.code == "990000000000002"
