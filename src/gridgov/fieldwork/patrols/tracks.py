"""A worker's day of patrols as GPS tracks over the grid, for the supervisors in whose area the
worker's grid lies (a community sees its own grids' workers, a street its communities', …).

Times inside and outside are recomputed here from the stored points with the same rule as the
duty total (see ``geometry.py``; the day's figures count overlapping patrols once, see
``overlap.py``), so the map and the numbers beside it always agree.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.patrols.geometry import TrackPoint, TrackTotals, accumulate
from gridgov.fieldwork.patrols.overlap import Span, day_totals
from gridgov.fieldwork.patrols.repository import PatrolRepository
from gridgov.fieldwork.patrols.schemas import (
    DUTY_SECONDS,
    GridShape,
    PatrolTrack,
    TrackPointRead,
    WorkerDayTrack,
    WorkerOption,
)
from gridgov.fieldwork.patrols.service import utc
from gridgov.fieldwork.sync.routes import SUPERVISOR_ROLES
from gridgov.kit.errors import Forbidden, NotFound

# Where a worker walked is personal data: the people who supervise field work see it, the system
# administrator (who manages modules and accounts, not people) does not.
TRACK_ROLES = tuple(r for r in SUPERVISOR_ROLES if r != Role.SYSTEM_ADMIN)


def not_yours() -> Forbidden:
    return Forbidden("无权查看网格员轨迹", "Not allowed to see grid workers' tracks")


class WorkerNotFound(NotFound):
    code = "worker_not_found"


def _supervisor(principal: Principal) -> None:
    if principal.role not in TRACK_ROLES:
        raise not_yours()


def workers(session: Session, *, principal: Principal) -> list[WorkerOption]:
    """The grid workers a supervisor may follow, ordered by grid."""
    _supervisor(principal)
    return [
        WorkerOption(user_id=u, name=n, grid_code=g)
        for u, n, g in PatrolRepository(session).workers(principal)
    ]


def worker_day(
    session: Session, *, principal: Principal, user_id: int, day: date
) -> WorkerDayTrack:
    """The worker's patrols of ``day`` with their points; 404 outside the caller's area.

    Reading where a person walked is a sensitive read: it goes to the trail."""
    _supervisor(principal)
    repository = PatrolRepository(session)
    worker = repository.worker(principal, user_id)
    if worker is None:
        raise WorkerNotFound("网格员不存在或不在您的管辖范围内", "No such grid worker in your area")
    patrols = repository.day_patrols(principal, user_id, day)
    points = repository.tracks([p.id for p in patrols])
    tracks = []
    spans = []
    by_patrol: dict[int, list[TrackPoint]] = {}
    for patrol in patrols:
        track = [
            TrackPoint(utc(t), float(lng), float(lat), bool(inside))
            for t, lng, lat, inside in points[patrol.id]
        ]
        by_patrol[patrol.id] = track
        totals = accumulate(TrackTotals(), None, track)
        inside = round(totals.seconds_inside)
        outside = max(0, round(totals.seconds_tracked) - inside)
        spans.append(
            Span(
                patrol.id,
                track[0].t if track else None,
                track[-1].t if track else None,
                inside,
                outside,
            )
        )
        tracks.append(
            PatrolTrack(
                uuid=patrol.uuid,
                grid_code=patrol.grid_code,
                started_at=utc(patrol.started_at),
                ended_at=utc(patrol.ended_at) if patrol.ended_at else None,
                seconds_inside=inside,
                seconds_outside=outside,
                distance_m=round(totals.distance_m, 1),
                points=[
                    TrackPointRead(t=p.t, lng=p.lng, lat=p.lat, inside=p.inside) for p in track
                ],
            )
        )
    grid_code = worker.region_code or ""
    codes = {grid_code} | {p.grid_code for p in patrols}
    totals_of_day = day_totals(spans, lambda ids: {i: by_patrol[i] for i in ids})
    trail.record(
        session,
        action="patrol.track_view",
        object_type="user",
        object_id=user_id,
        principal=principal,
        after={"day": day.isoformat(), "patrols": len(tracks)},
    )
    return WorkerDayTrack(
        user_id=worker.id,
        name=worker.display_name or worker.username,
        grid_code=grid_code,
        day=day,
        seconds_inside=totals_of_day.seconds_inside,
        seconds_outside=totals_of_day.seconds_outside,
        met=totals_of_day.seconds_inside >= DUTY_SECONDS,
        grids=[
            GridShape(code=c, name=n, geometry=json.loads(g)) for c, n, g in repository.grids(codes)
        ],
        patrols=tracks,
    )
