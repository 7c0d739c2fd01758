"""``/api/v1/calendar``: read the working-time calendar, import a year (administrators)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import current_principal, require_roles
from gridgov.authz.policy import SYSTEM_ADMINS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest, Forbidden
from gridgov.workcal import service
from gridgov.workcal.schemas import CalendarYearRead, DeadlineRead, ScheduleImport

router = APIRouter(prefix="/calendar", tags=["calendar"])


@router.get("/years", response_model=list[CalendarYearRead])
def list_years(
    _principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> list[CalendarYearRead]:
    return service.list_years(session)


@router.get("/deadline", response_model=DeadlineRead)
def preview_deadline(
    start: datetime,
    minutes: int = Query(ge=0, le=420 * 260),
    _principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> DeadlineRead:
    """When ``minutes`` of working time after ``start`` end (with the unknown-year warning)."""
    deadline = service.current_calendar(session).add_working_minutes(start, minutes)
    return DeadlineRead(start=start, minutes=minutes, due_at=deadline.at, warning=deadline.warning)


@router.get("/{year}", response_model=CalendarYearRead)
def get_year(
    year: int,
    _principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> CalendarYearRead:
    return service.year_status(session, year=year)


@router.put(
    "/{year}",
    response_model=CalendarYearRead,
    responses={400: {"description": BadRequest.code}, 403: {"description": Forbidden.code}},
)
def import_year(
    year: int,
    body: ScheduleImport,
    principal: Principal = Depends(require_roles(*SYSTEM_ADMINS)),
    session: Session = Depends(request_session, scope="function"),
) -> CalendarYearRead:
    """Replace a year's holidays and make-up working days with the announced schedule."""
    return service.import_schedule(
        session, principal=principal, year=year, days=body.days, source=body.source
    )
