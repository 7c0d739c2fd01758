"""Patrol sessions: start, track points (idempotent, in batches), end, and the 3-hour duty.

Time inside the grid is computed on the server from the stored track (never taken from the
phone): incrementally while points arrive in order, from the whole track when they do not and
when the patrol ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.patrols.geometry import TrackPoint, TrackTotals, accumulate, inside_flags
from gridgov.fieldwork.patrols.repository import PatrolRepository
from gridgov.fieldwork.patrols.schemas import (
    DUTY_SECONDS,
    DutyRead,
    DutySummary,
    PatrolRead,
    TrackPointIn,
    WorkerDuty,
)
from gridgov.kit.errors import Conflict, Forbidden, NotFound
from gridgov.models.patrol import Patrol

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


class PatrolNotFound(NotFound):
    code = "patrol_not_found"


def utc(moment: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive UTC datetimes)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local_day(moment: datetime) -> date:
    return utc(moment).astimezone(LOCAL_ZONE).date()


def _worker(principal: Principal) -> str:
    if principal.role != Role.GRID_WORKER or not principal.region_code:
        raise Forbidden("只有网格员可以巡查", "Only grid workers patrol")
    return principal.region_code


def _own(session: Session, principal: Principal, uuid: str, *, lock: bool = False) -> Patrol:
    _worker(principal)
    patrol = PatrolRepository(session).by_uuid(uuid, lock=lock)
    if patrol is None or patrol.user_id != principal.user_id:
        raise PatrolNotFound("巡查不存在", "No such patrol")
    return patrol


def start(session: Session, *, principal: Principal, uuid: str, started_at: datetime) -> Patrol:
    """Start a patrol in the worker's grid; starting the same UUID again returns it."""
    grid_code = _worker(principal)
    repository = PatrolRepository(session)
    existing = repository.by_uuid(uuid)
    if existing is not None:
        if existing.user_id != principal.user_id:
            raise Conflict("巡查编号已被使用", "Patrol UUID already used")
        return existing
    patrol = repository.add(
        Patrol(
            uuid=uuid,
            user_id=principal.user_id,
            grid_code=grid_code,
            day=local_day(started_at),
            started_at=utc(started_at),
            seconds_inside=0,
            distance_m=0.0,
            point_count=0,
        )
    )
    trail.record(
        session,
        action="patrol.start",
        object_type="patrol",
        object_id=patrol.id,
        principal=principal,
        after={"uuid": uuid, "grid_code": grid_code},
    )
    return patrol


def add_points(
    session: Session, *, principal: Principal, uuid: str, points: Sequence[TrackPointIn]
) -> Patrol:
    """Store track points (re-sent points are ignored) and update the time inside."""
    patrol = _own(session, principal, uuid, lock=True)
    if not points:
        return patrol
    repository = PatrolRepository(session)
    ordered = sorted(points, key=lambda p: p.t)
    geometry = repository.grid_geometry(patrol.grid_code)
    flags = inside_flags(geometry, [p.lng for p in ordered], [p.lat for p in ordered])
    rows = [
        {
            "patrol_id": patrol.id,
            "t": utc(p.t),
            "lng": p.lng,
            "lat": p.lat,
            "accuracy": p.accuracy,
            "inside": flag,
        }
        for p, flag in zip(ordered, flags, strict=True)
    ]
    new = repository.insert_points(rows)
    last_t = utc(patrol.last_t) if patrol.last_t else None
    in_order = last_t is None or utc(ordered[0].t) > last_t
    if new == len(rows) and in_order and len({r["t"] for r in rows}) == len(rows):
        previous = (
            TrackPoint(
                last_t,
                float(patrol.last_lng or 0),
                float(patrol.last_lat or 0),
                bool(patrol.last_inside),
            )
            if last_t is not None
            else None
        )
        track = [
            TrackPoint(p.t, p.lng, p.lat, flag) for p, flag in zip(ordered, flags, strict=True)
        ]
        track = [TrackPoint(utc(p.t), p.lng, p.lat, p.inside) for p in track]
        totals = accumulate(TrackTotals(patrol.seconds_inside, patrol.distance_m), previous, track)
        patrol.point_count += new
        _set_last(patrol, track[-1])
        patrol.seconds_inside = round(totals.seconds_inside)
        patrol.distance_m = round(totals.distance_m, 1)
    elif new:
        recompute(session, patrol=patrol)
    return patrol


def _set_last(patrol: Patrol, point: TrackPoint) -> None:
    patrol.last_t, patrol.last_lng, patrol.last_lat = point.t, point.lng, point.lat
    patrol.last_inside = point.inside


def recompute(session: Session, *, patrol: Patrol) -> Patrol:
    track = [
        TrackPoint(utc(t), float(lng), float(lat), bool(inside))
        for t, lng, lat, inside in PatrolRepository(session).track(patrol.id)
    ]
    totals = accumulate(TrackTotals(), None, track)
    patrol.point_count = len(track)
    patrol.seconds_inside = round(totals.seconds_inside)
    patrol.distance_m = round(totals.distance_m, 1)
    if track:
        _set_last(patrol, track[-1])
    return patrol


def end(session: Session, *, principal: Principal, uuid: str, ended_at: datetime) -> Patrol:
    patrol = _own(session, principal, uuid, lock=True)
    if patrol.ended_at is not None:
        return patrol
    recompute(session, patrol=patrol)
    patrol.ended_at = max(utc(ended_at), utc(patrol.started_at))
    trail.record(
        session,
        action="patrol.end",
        object_type="patrol",
        object_id=patrol.id,
        principal=principal,
        after={
            "seconds_inside": patrol.seconds_inside,
            "points": patrol.point_count,
            "distance_m": patrol.distance_m,
        },
    )
    return patrol


def read(patrol: Patrol) -> PatrolRead:
    return PatrolRead.model_validate(patrol)


def my_day(session: Session, *, principal: Principal, day: date) -> DutyRead:
    patrols = PatrolRepository(session).of_user_day(principal.user_id, day)
    seconds = sum(p.seconds_inside for p in patrols)
    return DutyRead(
        user_id=principal.user_id,
        day=day,
        seconds_inside=seconds,
        met=seconds >= DUTY_SECONDS,
        patrols=[read(p) for p in patrols],
    )


def day_summary(session: Session, *, principal: Principal, day: date) -> DutySummary:
    """Every worker's time inside the own grid on ``day``, in the caller's area."""
    repository = PatrolRepository(session)
    rows = repository.day_totals(principal, day)
    names = repository.usernames([r[0] for r in rows])
    return DutySummary(
        day=day,
        workers=[
            WorkerDuty(
                user_id=u,
                name=names.get(u),
                grid_code=g,
                seconds_inside=s,
                patrols=n,
                met=s >= DUTY_SECONDS,
            )
            for u, g, s, n in rows
        ],
    )
