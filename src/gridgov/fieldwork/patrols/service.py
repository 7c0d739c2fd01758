"""Patrol sessions: start, track points (idempotent, in batches), end, and the 3-hour duty.

Time inside the grid is computed on the server from the stored track (never taken from the
phone): incrementally while points arrive in order, from the whole track when they do not and
when the patrol ends. A point dated more than :data:`CLOCK_TOLERANCE` after the server's clock
is refused (a phone with a wrong clock would otherwise add time that has not passed yet); a
worker's day counts overlapping patrols once (``overlap.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.patrols.geometry import TrackPoint, TrackTotals, accumulate, inside_flags
from gridgov.fieldwork.patrols.overlap import Span, day_totals
from gridgov.fieldwork.patrols.repository import PatrolRepository
from gridgov.fieldwork.patrols.schemas import (
    DUTY_SECONDS,
    DutyRead,
    DutySummary,
    PatrolRead,
    PointResult,
    TrackPointIn,
    WorkerDuty,
)
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict, Forbidden, NotFound
from gridgov.models.patrol import Patrol

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
# How far ahead of the server's clock a phone's time may be (clocks drift by seconds, a
# wrongly set one by hours): later points are refused, later starts and ends taken as now.
CLOCK_TOLERANCE = timedelta(minutes=5)


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


def _not_ahead(moment: datetime) -> datetime:
    """``moment`` in UTC, or now when it lies beyond the tolerance in the future."""
    now = utcnow()
    return now if utc(moment) > now + CLOCK_TOLERANCE else utc(moment)


def start(session: Session, *, principal: Principal, uuid: str, started_at: datetime) -> Patrol:
    """Start a patrol in the worker's grid; starting the same UUID again returns it. A start
    dated in the future is taken as now (it decides the patrol's day)."""
    grid_code = _worker(principal)
    drift = int((utc(started_at) - utcnow()).total_seconds())
    started_at = _not_ahead(started_at)
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
    if drift > CLOCK_TOLERANCE.total_seconds():
        _note_drift(patrol, drift)
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
    session: Session,
    *,
    principal: Principal,
    uuid: str,
    points: Sequence[TrackPointIn],
    sent_at: datetime | None = None,
) -> tuple[Patrol, list[PointResult]]:
    """Store track points (re-sent points are ignored) and update the time inside; what became
    of each point, in the order sent. A point counts only between the patrol's start and the
    server's receipt (each with the tolerance): duty time earns or costs points in evaluation,
    so a phone clock set ahead or back must not make it. A phone whose clock is off (its
    ``sent_at``, or points out of bounds) flags the patrol for the supervisor."""
    patrol = _own(session, principal, uuid, lock=True)
    now = utcnow()
    earliest, latest = utc(patrol.started_at) - CLOCK_TOLERANCE, now + CLOCK_TOLERANCE
    results = [_point_result(p, earliest, latest) for p in points]
    accepted = [p for p, r in zip(points, results, strict=True) if r.status == "accepted"]
    if accepted:
        _store_points(session, patrol, accepted)
    drifts = [int((utc(p.t) - now).total_seconds()) for p in points if utc(p.t) > latest]
    drifts += [
        int((utc(p.t) - utc(patrol.started_at)).total_seconds())
        for p in points
        if utc(p.t) < earliest
    ]
    if sent_at is not None:
        drifts.append(int((utc(sent_at) - now).total_seconds()))
    for drift in drifts:
        if abs(drift) > CLOCK_TOLERANCE.total_seconds():
            _note_drift(patrol, drift)
    return patrol, results


def _note_drift(patrol: Patrol, drift: int) -> None:
    if patrol.clock_drift_s is None or abs(drift) > abs(patrol.clock_drift_s):
        patrol.clock_drift_s = drift
    patrol.clock_flagged = True


def _point_result(point: TrackPointIn, earliest: datetime, latest: datetime) -> PointResult:
    if earliest <= utc(point.t) <= latest:
        return PointResult(t=point.t, status="accepted")
    if utc(point.t) < earliest:
        return PointResult(
            t=point.t,
            status="rejected",
            code="before_start",
            message="定位时间早于巡查开始时间，请校准手机时间",
            message_en="The point is dated before the patrol started: check the phone's clock",
        )
    return PointResult(
        t=point.t,
        status="rejected",
        code="future_time",
        message="定位时间晚于服务器时间，请校准手机时间",
        message_en="The point is dated after the server's time: check the phone's clock",
    )


def _store_points(session: Session, patrol: Patrol, points: Sequence[TrackPointIn]) -> None:
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
    patrol.ended_at = max(_not_ahead(ended_at), utc(patrol.started_at))
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


def _tracks(repository: PatrolRepository, patrol_ids: list[int]) -> dict[int, list[TrackPoint]]:
    return {
        patrol_id: [
            TrackPoint(utc(t), float(lng), float(lat), bool(inside)) for t, lng, lat, inside in rows
        ]
        for patrol_id, rows in repository.tracks(patrol_ids).items()
    }


def _seconds_inside(
    repository: PatrolRepository,
    patrols: Sequence[tuple[int, int, datetime | None]],
    firsts: Mapping[int, datetime],
) -> int:
    """A worker's patrols (id, seconds inside, last point) counted once where they overlap."""
    spans = [
        Span(
            patrol_id,
            utc(firsts[patrol_id]) if patrol_id in firsts else None,
            utc(last) if last else None,
            seconds,
        )
        for patrol_id, seconds, last in patrols
    ]
    return day_totals(spans, lambda ids: _tracks(repository, ids)).seconds_inside


def my_day(session: Session, *, principal: Principal, day: date) -> DutyRead:
    repository = PatrolRepository(session)
    patrols = repository.of_user_day(principal.user_id, day)
    # One patrol cannot overlap itself: its first point is only looked up when there are more.
    firsts = repository.first_points([p.id for p in patrols]) if len(patrols) > 1 else {}
    seconds = _seconds_inside(
        repository, [(p.id, p.seconds_inside, p.last_t) for p in patrols], firsts
    )
    return DutyRead(
        user_id=principal.user_id,
        day=day,
        seconds_inside=seconds,
        met=seconds >= DUTY_SECONDS,
        patrols=[read(p) for p in patrols],
    )


def day_summary(session: Session, *, principal: Principal, day: date) -> DutySummary:
    """Every worker's time inside the own grid on ``day``, in the caller's area (a row per
    worker and grid, overlapping patrols counted once)."""
    repository = PatrolRepository(session)
    rows = repository.day_patrols_in_area(principal, day)
    by_worker: dict[tuple[int, str], list[tuple[int, int, datetime | None]]] = {}
    for patrol_id, user_id, grid_code, seconds, last in rows:
        by_worker.setdefault((user_id, grid_code), []).append((patrol_id, seconds, last))
    firsts = repository.first_points(
        [p[0] for patrols in by_worker.values() if len(patrols) > 1 for p in patrols]
    )
    names = repository.usernames(sorted({u for u, _ in by_worker}))
    workers = []
    for (user_id, grid_code), patrols in by_worker.items():
        seconds = _seconds_inside(repository, patrols, firsts)
        workers.append(
            WorkerDuty(
                user_id=user_id,
                name=names.get(user_id),
                grid_code=grid_code,
                seconds_inside=seconds,
                patrols=len(patrols),
                met=seconds >= DUTY_SECONDS,
            )
        )
    return DutySummary(day=day, workers=workers)
