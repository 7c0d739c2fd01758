"""A grid worker's past week of patrols, for the demo's supervisors to look at.

The patrols go through the field app's own service (start, points every 30 s, end), so the time
inside the grid is computed exactly as for a real phone. Most of a walk stays inside the grid;
now and then the worker steps across its edge.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.patrols import service as patrols
from gridgov.fieldwork.patrols.schemas import TrackPointIn
from gridgov.grids.geometry import from_geojson
from gridgov.grids.repository import RegionRepository
from gridgov.kit.clock import utcnow

POINT_SECONDS = 30
BATCH = 10  # points per request, as the app sends them
STEP_DEG = 0.0002  # ~20 m between fixes


def simulate_patrols(session: Session, *, worker: Principal, days: int = 7, seed: int = 1) -> int:
    """``days`` days of patrols (one or two a day, 1–2 h each) ending yesterday; returns the
    number of points recorded."""
    assert worker.region_code
    region = RegionRepository(session).get_by_code(worker.region_code)
    if region is None or region.geometry is None:
        return 0
    polygon = from_geojson(region.geometry)
    rng = random.Random(seed)
    # Local midnight today (the duty day is the local one).
    today = datetime.combine(patrols.local_day(utcnow()), time(), tzinfo=patrols.LOCAL_ZONE)
    recorded = 0
    for back in range(days, 0, -1):
        for start_hour in rng.sample([9, 10, 14, 15], rng.choice([1, 2])):
            started = today - timedelta(days=back, hours=-start_hour, minutes=-rng.randrange(60))
            points = _walk(polygon, rng, started, minutes=rng.randrange(60, 120))
            key = str(uuid.UUID(int=rng.getrandbits(128)))
            patrols.start(session, principal=worker, uuid=key, started_at=started)
            for i in range(0, len(points), BATCH):
                patrols.add_points(
                    session, principal=worker, uuid=key, points=points[i : i + BATCH]
                )
            patrols.end(session, principal=worker, uuid=key, ended_at=points[-1].t)
            recorded += len(points)
    return recorded


def _walk(
    polygon: BaseGeometry, rng: random.Random, started: datetime, *, minutes: int
) -> list[TrackPointIn]:
    here = polygon.representative_point()
    x, y = here.x, here.y
    heading_x, heading_y = rng.uniform(-1, 1), rng.uniform(-1, 1)
    points = []
    for n in range(minutes * 60 // POINT_SECONDS):
        nx = x + STEP_DEG * (heading_x + rng.uniform(-0.5, 0.5))
        ny = y + STEP_DEG * (heading_y + rng.uniform(-0.5, 0.5))
        # Turn back at the edge, except once in a while (a worker crossing the street).
        if not polygon.contains(Point(nx, ny)) and rng.random() > 0.05:
            heading_x, heading_y = -heading_x + rng.uniform(-0.3, 0.3), -heading_y
            continue
        x, y = nx, ny
        points.append(
            TrackPointIn(
                t=started + timedelta(seconds=n * POINT_SECONDS), lng=x, lat=y, accuracy=8.0
            )
        )
    return points
