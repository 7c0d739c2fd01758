"""The building graph a community is divided over.

A unit is one building (all flats of ``…路12号3栋``) with the shops of its compound's street
front attached to the nearest building: a unit is never split between grids. Each unit gets a
cell, the part of its current grid closer to it than to the grid's other buildings (a Voronoi
cell clipped to the grid), so the cells of a grid tile it exactly and a new grid's boundary is the
union of its units' cells. Two units are adjacent when their cells share a boundary; a community
made of parts that touch nowhere (an island) gives a graph with several components.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPoint, Point
from shapely.geometry.base import BaseGeometry

from gridgov.grids.geometry import lnglat_to_metres, metres_to_lnglat

# Cells closer than this (metres) along a common edge count as neighbours.
TOUCH_METRES = 0.5
# Shorter common boundaries are corners, not a way through.
MIN_SHARED_METRES = 5.0


@dataclass(frozen=True)
class HouseRow:
    id: int
    grid_code: str
    address: str
    building: str | None
    lng: float | None
    lat: float | None


@dataclass
class Unit:
    key: str  # the building's address (compound + building), or the house's own address
    grid_code: str
    house_ids: list[int] = field(default_factory=list)
    households: int = 0
    persons: int = 0
    organisations: int = 0
    x: float = 0.0  # metric frame
    y: float = 0.0
    cell: BaseGeometry | None = None  # metric frame


@dataclass
class Graph:
    units: list[Unit]
    # (i, j, shared boundary in metres), i < j
    edges: list[tuple[int, int, float]]

    def neighbours(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.units]
        for i, j, _ in self.edges:
            out[i].append(j)
            out[j].append(i)
        return out

    def components(self, members: Iterable[int] | None = None) -> list[list[int]]:
        """Connected components, of the whole graph or of the subgraph on ``members``."""
        allowed = set(range(len(self.units)) if members is None else members)
        adjacency = self.neighbours()
        seen: set[int] = set()
        parts: list[list[int]] = []
        for start in sorted(allowed):
            if start in seen:
                continue
            stack, part = [start], []
            seen.add(start)
            while stack:
                node = stack.pop()
                part.append(node)
                for other in adjacency[node]:
                    if other in allowed and other not in seen:
                        seen.add(other)
                        stack.append(other)
            parts.append(sorted(part))
        return parts


_COMPOUND = re.compile(r"^(.*?\d+号)")


def compound_key(unit_key: str) -> str | None:
    """The compound a unit belongs to: its address up to the street number (``…解放路12号``)."""
    found = _COMPOUND.match(unit_key)
    return found.group(1) if found else None


def building_key(row: HouseRow) -> str:
    """``…解放路12号3栋`` for a flat, the house's own address otherwise."""
    if row.building:
        at = row.address.find(row.building)
        if at >= 0:
            return row.address[: at + len(row.building)]
    return row.address


def build_graph(
    grids: Sequence[tuple[str, BaseGeometry]],
    houses: Sequence[HouseRow],
) -> Graph:
    """Units and their adjacency for the grids of one community (polygons in lng/lat)."""
    metric = {code: lnglat_to_metres(polygon) for code, polygon in grids}
    units = _group_units(metric, houses)
    by_grid: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_grid[unit.grid_code].append(unit)
    cells: list[Unit] = []
    for code, polygon in metric.items():
        members = by_grid.get(code, [])
        if not members:
            # A grid without houses keeps its ground: a unit holding nobody.
            point = polygon.representative_point()
            members = [Unit(key=f"{code}（无房屋）", grid_code=code, x=point.x, y=point.y)]
        cells.extend(_cells(polygon, members))
    return Graph(cells, _adjacency(cells))


def _group_units(metric: dict[str, BaseGeometry], houses: Sequence[HouseRow]) -> list[Unit]:
    buildings: dict[str, Unit] = {}
    votes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    loose: list[HouseRow] = []
    for row in houses:
        if row.grid_code not in metric:
            continue
        if not row.building or row.lng is None or row.lat is None:
            loose.append(row)
            continue
        key = building_key(row)
        unit = buildings.setdefault(key, Unit(key=key, grid_code=row.grid_code))
        unit.house_ids.append(row.id)
        votes[key][row.grid_code] += 1
        points[key].append((row.lng, row.lat))
    for key, unit in buildings.items():
        # A building recorded in two grids (bad data) goes whole to the grid of most flats.
        unit.grid_code = max(votes[key].items(), key=lambda kv: (kv[1], kv[0]))[0]
        lng, lat = np.mean(np.asarray(points[key]), axis=0)
        p = lnglat_to_metres(Point(float(lng), float(lat)))
        unit.x, unit.y = p.x, p.y
    units = list(buildings.values())
    by_grid: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_grid[unit.grid_code].append(unit)
    for row in loose:
        # Shops and houses without a building join the nearest building of their grid.
        candidates = by_grid.get(row.grid_code)
        if not candidates:
            shop = _own_unit(row, metric[row.grid_code])
            units.append(shop)
            by_grid[row.grid_code].append(shop)
            continue
        if row.lng is None or row.lat is None:
            candidates[0].house_ids.append(row.id)
            continue
        p = lnglat_to_metres(Point(row.lng, row.lat))
        nearest = min(candidates, key=lambda u: (u.x - p.x) ** 2 + (u.y - p.y) ** 2)
        nearest.house_ids.append(row.id)
    return units


def _own_unit(row: HouseRow, polygon: BaseGeometry) -> Unit:
    if row.lng is not None and row.lat is not None:
        point = lnglat_to_metres(Point(row.lng, row.lat))
    else:
        point = polygon.representative_point()
    return Unit(key=row.address, grid_code=row.grid_code, house_ids=[row.id], x=point.x, y=point.y)


def _cells(polygon: BaseGeometry, members: list[Unit]) -> list[Unit]:
    """Voronoi cells of the grid's units clipped to the grid; a unit whose point lies outside
    the grid (bad coordinates) joins the unit whose cell holds its point."""
    if len(members) == 1:
        members[0].cell = polygon
        return members
    xs = np.array([u.x for u in members])
    ys = np.array([u.y for u in members])
    # Coinciding points would share one Voronoi cell: nudge them apart by centimetres.
    seen: dict[tuple[float, float], int] = {}
    for i in range(len(members)):
        key = (round(xs[i], 2), round(ys[i], 2))
        if key in seen:
            seen[key] += 1
            xs[i] += 0.05 * seen[key]
        else:
            seen[key] = 0
    regions = shapely.get_parts(
        shapely.voronoi_polygons(
            MultiPoint(list(shapely.points(xs, ys))), extend_to=polygon, ordered=True
        )
    )
    clipped = shapely.intersection(regions, polygon)
    kept: list[Unit] = []
    orphans: list[Unit] = []
    for unit, cell in zip(members, clipped, strict=True):
        area = float(shapely.area(cell))
        if area > 1.0:
            unit.cell = cell
            kept.append(unit)
        else:
            orphans.append(unit)
    for orphan in orphans:
        target = min(kept, key=lambda u: u.cell.distance(Point(orphan.x, orphan.y)))  # type: ignore[union-attr]
        target.house_ids.extend(orphan.house_ids)
    return kept


def _adjacency(units: list[Unit]) -> list[tuple[int, int, float]]:
    geoms = np.array([u.cell for u in units], dtype=object)
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="dwithin", distance=TOUCH_METRES)
    edges: list[tuple[int, int, float]] = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        shared = float(
            shapely.length(
                shapely.intersection(
                    shapely.boundary(geoms[i]), shapely.buffer(geoms[j], TOUCH_METRES)
                )
            )
        )
        if shared >= MIN_SHARED_METRES:
            edges.append((i, j, shared))
    return edges


def union_lnglat(cells: Sequence[BaseGeometry]) -> BaseGeometry:
    """The boundary of a grid made of these cells (metric frame in, lng/lat out), snapped on a
    1 cm grid so neighbouring grids keep identical shared vertices."""
    merged = shapely.union_all(np.array(list(cells), dtype=object), grid_size=0.01)
    return metres_to_lnglat(merged)
