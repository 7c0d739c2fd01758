"""Patrol endpoints of the field app and the supervisors' duty view."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal, require_roles
from gridgov.authz.principal import Principal
from gridgov.fieldwork.patrols import service, tracks
from gridgov.fieldwork.patrols.schemas import (
    DutyRead,
    DutySummary,
    PatrolEnd,
    PatrolRead,
    PatrolStart,
    PointsIn,
    PointsRead,
    WorkerDayTrack,
    WorkerOption,
)
from gridgov.fieldwork.sync.routes import SUPERVISOR_ROLES
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session

router = APIRouter(prefix="/field/patrols", tags=["field patrols"])
DB = Annotated[Session, Depends(request_session, scope="function")]
Supervisor = Annotated[Principal, Depends(require_roles(*SUPERVISOR_ROLES))]
TrackViewer = Annotated[Principal, Depends(require_roles(*tracks.TRACK_ROLES))]


@router.post("", status_code=201)
def start(body: PatrolStart, session: DB, principal: CurrentPrincipal) -> PatrolRead:
    patrol = service.start(session, principal=principal, uuid=body.uuid, started_at=body.started_at)
    return service.read(patrol)


@router.post("/{uuid}/points")
def points(uuid: str, body: PointsIn, session: DB, principal: CurrentPrincipal) -> PointsRead:
    """Store track points; a point dated over 5 minutes after the server's clock is refused
    (``results``: one per point, in the order sent)."""
    patrol, results = service.add_points(
        session, principal=principal, uuid=uuid, points=body.points, sent_at=body.sent_at
    )
    return PointsRead(**service.read(patrol).model_dump(), results=results)


@router.post("/{uuid}/end")
def end(uuid: str, body: PatrolEnd, session: DB, principal: CurrentPrincipal) -> PatrolRead:
    patrol = service.end(session, principal=principal, uuid=uuid, ended_at=body.ended_at)
    return service.read(patrol)


@router.get("/today")
def today(session: DB, principal: CurrentPrincipal, day: date | None = None) -> DutyRead:
    """The caller's time inside the own grid on a day against the 3-hour duty."""
    return service.my_day(session, principal=principal, day=day or service.local_day(utcnow()))


@router.get("/summary")
def summary(session: DB, principal: Supervisor, day: date | None = None) -> DutySummary:
    """Every worker's patrol time on a day, in the supervisor's area."""
    return service.day_summary(session, principal=principal, day=day or service.local_day(utcnow()))


@router.get("/workers")
def workers(session: DB, principal: TrackViewer) -> list[WorkerOption]:
    """The grid workers in the supervisor's area (to pick whose track to see)."""
    return tracks.workers(session, principal=principal)


@router.get("/tracks/{user_id}", responses={404: {"description": "no such worker in your area"}})
def track(
    user_id: int, session: DB, principal: TrackViewer, day: date | None = None
) -> WorkerDayTrack:
    """A worker's patrols of a day with the GPS points and the minutes inside/outside the grid."""
    return tracks.worker_day(
        session,
        principal=principal,
        user_id=user_id,
        day=day or service.local_day(utcnow()),
    )
