"""Geometry helpers: the local metric frame, GeoJSON parsing and the point → grid index."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from gridgov.kit.errors import BadRequest

# Reference city origin (Yichang, Hubei) and metres per degree there.
ORIGIN_LNG = 111.25
ORIGIN_LAT = 30.66
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LNG = 111_320.0 * math.cos(math.radians(ORIGIN_LAT))


def metres_to_lnglat(geometry: Any) -> Any:
    """Map geometries (or arrays of them) from the local metric frame to WGS84 lng/lat."""
    return shapely.transform(
        geometry,
        lambda xy: np.column_stack(
            (ORIGIN_LNG + xy[:, 0] / M_PER_DEG_LNG, ORIGIN_LAT + xy[:, 1] / M_PER_DEG_LAT)
        ),
    )


def lnglat_to_metres(geometry: Any) -> Any:
    return shapely.transform(
        geometry,
        lambda xy: np.column_stack(
            ((xy[:, 0] - ORIGIN_LNG) * M_PER_DEG_LNG, (xy[:, 1] - ORIGIN_LAT) * M_PER_DEG_LAT)
        ),
    )


def area_m2(geometry: BaseGeometry) -> float:
    return float(shapely.area(lnglat_to_metres(geometry)))


def to_geojson(geometry: BaseGeometry) -> str:
    return str(shapely.to_geojson(geometry))


def from_geojson(text: str) -> BaseGeometry:
    return shape(json.loads(text))


def parse_polygon(raw: Any, *, allow_multi: bool, label: str) -> BaseGeometry:
    """A valid (Multi)Polygon from a GeoJSON geometry object, or a clear error."""
    if not isinstance(raw, dict) or "type" not in raw or "coordinates" not in raw:
        raise BadRequest(
            f"{label}: 不是有效的 GeoJSON 几何对象", f"{label}: not a GeoJSON geometry object"
        )
    allowed = ("Polygon", "MultiPolygon") if allow_multi else ("Polygon",)
    if raw["type"] not in allowed:
        raise BadRequest(
            f"{label}: 几何类型必须是 {'/'.join(allowed)}，实际为 {raw['type']}",
            f"{label}: geometry must be {'/'.join(allowed)}, got {raw['type']}",
        )
    try:
        geometry = shape(raw)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise BadRequest(
            f"{label}: 坐标格式错误（{exc}）", f"{label}: malformed coordinates ({exc})"
        ) from exc
    if geometry.is_empty:
        raise BadRequest(f"{label}: 多边形为空", f"{label}: empty polygon")
    if not geometry.is_valid:
        reason = explain_validity(geometry)
        raise BadRequest(f"{label}: 多边形无效（{reason}）", f"{label}: invalid polygon ({reason})")
    return geometry


PARALLEL_FROM = 100_000  # points; below this, threads cost more than they save


@lru_cache(maxsize=1)
def _pool(workers: int) -> ThreadPoolExecutor:
    return ThreadPoolExecutor(workers, thread_name_prefix="gridgov-locate")


@dataclass(frozen=True)
class GridIndex:
    """Point → grid over an STRtree. Grids are sorted by code, so where a point lies on a shared
    edge or corner the grid with the smallest code wins: every point in the city has exactly one
    grid."""

    codes: tuple[str, ...]
    polygons: np.ndarray
    tree: shapely.STRtree

    @classmethod
    def build(cls, grids: Sequence[tuple[str, BaseGeometry]]) -> GridIndex:
        ordered = sorted(grids, key=lambda item: item[0])
        polygons = np.array([polygon for _, polygon in ordered], dtype=object)
        shapely.prepare(polygons)
        return cls(tuple(code for code, _ in ordered), polygons, shapely.STRtree(polygons))

    def locate_many(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        """Index into ``codes`` of each point's grid, or -1 outside every grid (vectorised; big
        batches are split over the cores, shapely releases the GIL)."""
        if len(lngs) >= PARALLEL_FROM and (workers := min(4, os.cpu_count() or 1)) > 1:
            bounds = np.linspace(0, len(lngs), workers + 1).astype(int)
            parts = _pool(workers).map(
                lambda i: self._locate(
                    lngs[bounds[i] : bounds[i + 1]], lats[bounds[i] : bounds[i + 1]]
                ),
                range(workers),
            )
            return np.concatenate(list(parts))
        return self._locate(lngs, lats)

    def _locate(self, lngs: np.ndarray, lats: np.ndarray) -> np.ndarray:
        points = shapely.points(lngs, lats)
        none = len(self.codes)
        best = np.full(len(points), none, dtype=np.int64)
        if none and len(points):
            point_idx, grid_idx = self.tree.query(points, predicate="intersects")
            np.minimum.at(best, point_idx, grid_idx)
        best[best == none] = -1
        return best

    def locate(self, lng: float, lat: float) -> str | None:
        found = self.locate_many(np.array([lng]), np.array([lat]))[0]
        return None if found < 0 else self.codes[found]
