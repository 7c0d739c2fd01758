"""A vector base map drawn from the synthetic city itself, so the offline demo has roads,
compounds, buildings and names under its grids (no tile server, no internet).

Roads run along the community and street boundaries (the synthetic city's blocks), named from
the roads in the residents' addresses; each building is a footprint around the point its flats
share; each grid's compound is the hull of its buildings, named by its address (``解放路12号``).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import shapely
from rich.console import Console
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gridgov.kit.db import job_session
from gridgov.models.basemap import BasemapFeature
from gridgov.models.house import House
from gridgov.models.region import Region
from gridgov.sim.compounds import ROADS

# Half the footprint of an apartment block: about 30 m × 12 m at 30.7° N.
HALF_WIDTH, HALF_DEPTH = 0.00016, 0.00006
COMPOUND_MARGIN = 0.00035  # degrees around the outermost buildings (~35 m)
_COMPOUND_ADDRESS = re.compile(r"^(?:.+?[市])?(?:.+?[区县])?(?P<name>.+?\d+号)")


def _row(kind: str, name: str | None, geometry: Any) -> dict[str, Any]:
    minx, miny, maxx, maxy = geometry.bounds
    return {
        "kind": kind,
        "name": name,
        "geometry": json.dumps(shapely.geometry.mapping(geometry), separators=(",", ":")),
        "min_lng": minx,
        "min_lat": miny,
        "max_lng": maxx,
        "max_lat": maxy,
    }


def _shape(text: str) -> Any:
    return shapely.geometry.shape(json.loads(text))


def _roads(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Region.geometry).where(
            Region.layer == "base", Region.level.in_(("community", "street", "district"))
        )
    ).scalars()
    boundaries = [_shape(text).boundary for text in rows]
    if not boundaries:
        return []
    network = shapely.line_merge(shapely.union_all(boundaries))
    parts = list(getattr(network, "geoms", [network]))
    return [
        _row("road", ROADS[number % len(ROADS)], part.simplify(0.00002))
        for number, part in enumerate(parts)
        if part.length > 0.0005
    ]


def _lanes(session: Session) -> list[dict[str, Any]]:
    """The smaller streets: grid boundaries (drawn thinner, under the roads)."""
    rows = session.execute(
        select(Region.geometry).where(Region.layer == "base", Region.level == "grid")
    ).scalars()
    boundaries = [_shape(text).boundary for text in rows]
    if not boundaries:
        return []
    network = shapely.line_merge(shapely.union_all(boundaries))
    return [
        _row("lane", None, part.simplify(0.00002)) for part in getattr(network, "geoms", [network])
    ]


def _buildings_and_compounds(session: Session) -> list[dict[str, Any]]:
    points = session.execute(
        select(House.grid_code, House.building, func.min(House.address), House.lng, House.lat)
        .where(House.building.is_not(None), House.lng.is_not(None), House.lat.is_not(None))
        .group_by(House.grid_code, House.building, House.lng, House.lat)
    ).all()
    grids = dict(
        session.execute(
            select(Region.code, Region.geometry).where(
                Region.level == "grid", Region.layer == "base"
            )
        ).all()
    )
    rows: list[dict[str, Any]] = []
    by_compound: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for grid_code, building, address, lng, lat in points:
        if lng is None or lat is None:  # filtered above; for the type checker
            continue
        footprint = shapely.box(
            lng - HALF_WIDTH, lat - HALF_DEPTH, lng + HALF_WIDTH, lat + HALF_DEPTH
        )
        match = _COMPOUND_ADDRESS.match(address)
        compound = match.group("name") if match else address
        rows.append(_row("building", f"{compound}{building}", footprint))
        by_compound[(grid_code, compound)].append((lng, lat))
    for (grid_code, compound), spots in by_compound.items():
        if len(spots) < 2:
            continue
        hull = shapely.MultiPoint(spots).convex_hull.buffer(COMPOUND_MARGIN, join_style="mitre")
        if grid_code in grids:
            hull = hull.intersection(_shape(grids[grid_code]))
        if not hull.is_empty and hull.geom_type == "Polygon":
            rows.insert(0, _row("compound", compound, hull.simplify(0.00001)))
    return rows


def build_basemap(session: Session) -> dict[str, int]:
    """Replace the stored base map by one drawn from the city in the database."""
    session.execute(delete(BasemapFeature))
    rows = _lanes(session) + _roads(session) + _buildings_and_compounds(session)
    for start in range(0, len(rows), 5000):
        session.execute(insert(BasemapFeature), rows[start : start + 5000])
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["kind"]] += 1
    return dict(counts)


def demo_step(console: Console) -> None:
    with job_session() as session:
        counts = build_basemap(session)
    console.print(
        f"base map: {counts.get('road', 0)} roads, {counts.get('compound', 0)} compounds, "
        f"{counts.get('building', 0)} buildings"
    )
