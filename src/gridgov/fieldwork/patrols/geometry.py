"""Time inside the own grid from a GPS track.

Between two consecutive points at most :data:`MAX_GAP_SECONDS` apart, the interval counts fully
when both points are inside the grid and half when one is (the crossing happened somewhere in
between); a longer gap (signal lost, phone off) does not count. Points are tested against the
grid polygon with a vectorised shapely call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

MAX_GAP_SECONDS = 300.0
EARTH_RADIUS_M = 6_371_008.8


@lru_cache(maxsize=4096)
def polygon(geometry_json: str) -> BaseGeometry:
    geometry = shape(json.loads(geometry_json))
    shapely.prepare(geometry)
    return geometry


def inside_flags(
    geometry_json: str | None, lngs: Sequence[float], lats: Sequence[float]
) -> list[bool]:
    if geometry_json is None or not lngs:
        return [False] * len(lngs)
    flags = shapely.contains_xy(polygon(geometry_json), np.asarray(lngs), np.asarray(lats))
    return [bool(f) for f in flags]


def distance_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class TrackPoint:
    t: datetime
    lng: float
    lat: float
    inside: bool


@dataclass
class TrackTotals:
    seconds_inside: float = 0.0
    distance_m: float = 0.0
    # Every counted interval, inside or not (the supervisor's track view: outside = this - inside).
    seconds_tracked: float = 0.0


def accumulate(
    totals: TrackTotals, previous: TrackPoint | None, points: Sequence[TrackPoint]
) -> TrackTotals:
    """Add the intervals of ``points`` (sorted by time) that follow ``previous``."""
    last = previous
    for point in points:
        if last is not None:
            gap = (point.t - last.t).total_seconds()
            if 0 < gap <= MAX_GAP_SECONDS:
                totals.seconds_tracked += gap
                if last.inside and point.inside:
                    totals.seconds_inside += gap
                elif last.inside or point.inside:
                    totals.seconds_inside += gap / 2
                totals.distance_m += distance_m(last.lng, last.lat, point.lng, point.lat)
        last = point
    return totals
