"""Writing the synthetic city into the database: regions, overlay, workers, facilities, people."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from itertools import cycle
from typing import Any

import numpy as np
import shapely
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.grids.facilities import FACILITY_KINDS, facility_code
from gridgov.grids.geometry import area_m2, metres_to_lnglat, to_geojson
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict
from gridgov.models import Assignment, Facility, OverlayCoverage, Region, Staff, StaffKind
from gridgov.models.region import BASE_LAYER
from gridgov.people.bulk import bulk_insert
from gridgov.sim.layout import CityLayout, Node, generate_layout
from gridgov.sim.names import random_name
from gridgov.sim.population import GridSite, populate
from gridgov.sim.progress import ProgressSink, Silent

COMMERCE_LAYER = "commerce"
# Spacing (metres) of facilities along the streets bounding a grid (kerb ~6 m inside).
SPACING = {"street_lamp": 40.0, "manhole": 65.0, "fire_hydrant": 150.0}
KERB_OFFSET = 6.0
MAX_CAMERAS = 8
BATCH = 5000


@dataclass(frozen=True)
class CitySummary:
    districts: int
    streets: int
    communities: int
    grids: int
    overlays: int
    workers: int
    facilities: int
    households: int
    persons: int


def build_city(
    session: Session,
    *,
    grids: int,
    seed: int,
    progress: ProgressSink | None = None,
    with_population: bool = True,
) -> CitySummary:
    """Generate the city for ``seed`` and insert it. Refuses a database that already has grids."""
    sink = progress or Silent()
    if session.scalar(select(func.count()).select_from(Region)):
        raise Conflict(
            "数据库中已有网格，请使用空数据库生成模拟城市",
            "The database already holds regions; generate the synthetic city into an empty one",
        )
    rng = np.random.default_rng(seed)
    sink.start("regions", 4)
    layout = generate_layout(grids=grids, seed=seed)
    ids = _insert_regions(session, layout, sink)
    overlay_ids = _insert_overlays(session, layout, ids)
    workers = _insert_staff(session, layout, ids, overlay_ids, seed)
    facilities = _insert_facilities(session, layout, ids, rng, sink)
    households = persons = 0
    if with_population:
        sites = [
            GridSite(
                region_id=ids[node.code],
                code=node.code,
                district_code=node.code[:6],
                polygon=layout.cell_polygons[node.cells[0]],
                households=int(rng.integers(200, 301)),
            )
            for node in layout.nodes()
            if node.level == "grid"
        ]
        summary = populate(session, grids=sites, seed=seed, progress=sink)
        households, persons = summary.households, summary.persons
    levels: dict[str, int] = defaultdict(int)
    for node in layout.nodes():
        levels[node.level] += 1
    return CitySummary(
        districts=levels["district"],
        streets=levels["street"],
        communities=levels["community"],
        grids=levels["grid"],
        overlays=len(layout.overlays),
        workers=workers,
        facilities=facilities,
        households=households,
        persons=persons,
    )


def _region_row(code: str, name: str, level: str, layer: str, geometry: Any) -> dict[str, Any]:
    minx, miny, maxx, maxy = geometry.bounds
    # A point guaranteed inside the polygon, for labels and map centring.
    inside = geometry.representative_point() if level != "grid" else geometry.centroid
    return {
        "code": code,
        "name": name,
        "level": level,
        "layer": layer,
        "geometry": to_geojson(geometry),
        "min_lng": minx,
        "min_lat": miny,
        "max_lng": maxx,
        "max_lat": maxy,
        "center_lng": inside.x,
        "center_lat": inside.y,
        "area_m2": area_m2(geometry),
    }


def _insert_regions(session: Session, layout: CityLayout, sink: ProgressSink) -> dict[str, int]:
    ids: dict[str, int] = {}
    by_level: dict[str, list[Node]] = defaultdict(list)
    for node in layout.nodes():
        by_level[node.level].append(node)
    for level in ("district", "street", "community", "grid"):
        rows = []
        for node in by_level[level]:
            geometry = shapely.union_all([layout.cell_polygons[c] for c in node.cells])
            row = _region_row(node.code, node.name, level, BASE_LAYER, geometry)
            row["parent_id"] = ids.get(_parent_code(node.code))
            rows.append(row)
        session.execute(insert(Region), rows)
        codes = [node.code for node in by_level[level]]
        ids.update(_ids_by_code(session, codes))
        sink.advance()
    return ids


def _ids_by_code(session: Session, codes: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for start in range(0, len(codes), 500):
        batch = codes[start : start + 500]
        query = select(Region.code, Region.id).where(Region.code.in_(batch))
        ids.update({code: pk for code, pk in session.execute(query)})
    return ids


def _parent_code(code: str) -> str:
    return code[:-3] if len(code) > 6 else ""


def _insert_overlays(session: Session, layout: CityLayout, ids: dict[str, int]) -> dict[str, int]:
    grid_code_of_cell = {
        node.cells[0]: node.code for node in layout.nodes() if node.level == "grid"
    }
    rows = []
    for code, name, cells in layout.overlays:
        geometry = shapely.union_all([layout.cell_polygons[c] for c in cells])
        rows.append(
            _region_row(code, name, "overlay", COMMERCE_LAYER, geometry) | {"parent_id": None}
        )
    session.execute(insert(Region), rows)
    codes = [code for code, _, _ in layout.overlays]
    overlay_ids = _ids_by_code(session, codes)
    coverage = [
        {"overlay_id": overlay_ids[code], "grid_id": ids[grid_code_of_cell[cell]]}
        for code, _, cells in layout.overlays
        for cell in cells
    ]
    session.execute(insert(OverlayCoverage), coverage)
    return overlay_ids


def _insert_staff(
    session: Session,
    layout: CityLayout,
    ids: dict[str, int],
    overlay_ids: dict[str, int],
    seed: int,
) -> int:
    rng = random.Random(seed)
    grid_codes = [node.code for node in layout.nodes() if node.level == "grid"]
    staff_rows = [
        {
            "staff_no": f"W{i:05d}",
            "name": random_name(rng),
            "kind": StaffKind.GRID_WORKER.value,
            "phone_masked": f"1{rng.choice('3589')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}",
            "active": True,
        }
        for i in range(1, len(grid_codes) + 1)
    ] + [
        {
            "staff_no": f"I{i:03d}",
            "name": random_name(rng),
            "kind": StaffKind.INSPECTOR.value,
            "phone_masked": f"13{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}",
            "active": True,
        }
        for i in range(1, len(overlay_ids) + 1)
    ]
    session.execute(insert(Staff), staff_rows)
    staff_ids = {no: pk for no, pk in session.execute(select(Staff.staff_no, Staff.id))}
    started = utcnow() - timedelta(days=365)
    assignments = [
        {
            "staff_id": staff_ids[f"W{i:05d}"],
            "region_id": ids[code],
            "started_at": started,
            "reason": "初始配置 / initial assignment",
        }
        for i, code in enumerate(grid_codes, start=1)
    ] + [
        {
            "staff_id": staff_ids[f"I{i:03d}"],
            "region_id": overlay_ids[code],
            "started_at": started,
            "reason": "初始配置 / initial assignment",
        }
        for i, code in enumerate(sorted(overlay_ids), start=1)
    ]
    session.execute(insert(Assignment), assignments)
    return len(grid_codes)


def _insert_facilities(
    session: Session,
    layout: CityLayout,
    ids: dict[str, int],
    rng: np.random.Generator,
    sink: ProgressSink,
) -> int:
    grids = [node for node in layout.nodes() if node.level == "grid"]
    sink.start("facilities", len(grids))
    serials: dict[tuple[str, str], int] = defaultdict(int)
    manhole_kinds = cycle(("water_manhole", "sewage_manhole", "rain_manhole"))
    rows: list[dict[str, Any]] = []
    total = 0

    def add(kind_key: str, grid: Node, points: Any) -> None:
        kind = FACILITY_KINDS[kind_key]
        district = grid.code[:6]
        for point in points:
            serials[(district, kind_key)] += 1
            rows.append(
                {
                    "code": facility_code(district, kind, serials[(district, kind_key)]),
                    "kind": kind_key,
                    "name": kind.name_zh,
                    "grid_id": ids[grid.code],
                    "grid_code": grid.code,
                    "lng": point.x,
                    "lat": point.y,
                    "status": "normal",
                }
            )

    for grid in grids:
        kerb = layout.cell_metric[grid.cells[0]].buffer(-KERB_OFFSET).exterior
        offset = float(rng.uniform(0, 20))
        add("street_lamp", grid, _points_along(kerb, offset=offset, spacing=SPACING["street_lamp"]))
        for point in _points_along(kerb, offset=offset, spacing=SPACING["manhole"]):
            add(next(manhole_kinds), grid, [point])
        add(
            "fire_hydrant",
            grid,
            _points_along(kerb, offset=offset, spacing=SPACING["fire_hydrant"]),
        )
        # Cameras watch the street corners (the kerb's vertices).
        corners = shapely.points(np.asarray(kerb.coords)[:-1][:MAX_CAMERAS])
        add("camera", grid, shapely.get_parts(metres_to_lnglat(corners)))
        if len(rows) >= BATCH:
            bulk_insert(session, Facility, rows)
            total += len(rows)
            rows.clear()
        sink.advance()
    if rows:
        bulk_insert(session, Facility, rows)
        total += len(rows)
    return total


def _points_along(kerb: Any, *, offset: float, spacing: float) -> Any:
    distances = np.arange(offset, kerb.length, spacing)
    return shapely.get_parts(metres_to_lnglat(shapely.line_interpolate_point(kerb, distances)))
