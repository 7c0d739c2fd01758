"""Supervision dashboard and Excel ledgers: API (``/api/v1/dashboard/…``, ``/api/v1/ledgers/…``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import DASHBOARD_ROLES
from gridgov.authz.principal import Principal
from gridgov.dashboard import service
from gridgov.dashboard.ledger_routes import router as ledger_router
from gridgov.kit.db import request_session

router = APIRouter(tags=["dashboard"])
router.include_router(ledger_router)

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*DASHBOARD_ROLES))]
RegionCode = Annotated[str | None, Query(max_length=15, pattern=r"^(\d{6,15})?$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unknown indicator or kind"},
    401: {"description": "Not signed in"},
    403: {"description": "Role may not open the dashboard"},
    404: {"description": "Region unknown or outside the caller's scope"},
}


def _json(body: Any) -> Response:
    # Thousands of points: serialised directly, without response-model validation.
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), media_type="application/json"
    )


@router.get("/dashboard/overview", responses=ERRORS)
def overview(
    session: SessionDep,
    principal: Reader,
    region: RegionCode = None,
    days: Annotated[int, Query(ge=1, le=service.MAX_DAYS)] = 30,
) -> Response:
    """Tiles and charts of the city or a region: population, open and overdue cases, cases per
    day by channel, closure and on-time rates, overdue by department, department ranking."""
    return _json(service.overview(session, principal=principal, region=region, days=days))


@router.get("/dashboard/scores", responses=ERRORS)
def score_ranking(
    session: SessionDep,
    principal: Reader,
    days: Annotated[int, Query(ge=1, le=service.MAX_DAYS)] = 30,
) -> Response:
    """Departments ranked by their evaluation score (客观评价) over the last finished days."""
    return _json(service.score_ranking(session, principal=principal, days=days))


@router.get("/dashboard/regions", responses=ERRORS)
def region_values(
    session: SessionDep,
    principal: Reader,
    indicator: Annotated[str, Query(max_length=32)] = "persons",
    parent: RegionCode = None,
) -> Response:
    """The chosen indicator for each child region of ``parent`` (the districts when absent)."""
    body = service.region_values(session, principal=principal, indicator=indicator, parent=parent)
    return _json(body)


@router.get("/dashboard/facility-kinds", responses=ERRORS)
def facility_kinds(session: SessionDep, principal: Reader) -> Response:
    """The facility layers and how many points each has."""
    return _json(service.facility_kinds(session, principal=principal))


@router.get("/dashboard/facilities", responses=ERRORS)
def facilities(
    session: SessionDep,
    principal: Reader,
    kind: Annotated[str, Query(max_length=32)],
    region: RegionCode = None,
) -> Response:
    """Every facility of one kind as ``[id, lat, lng]`` (clustered in the browser)."""
    return _json(service.facility_layer(session, principal=principal, kind=kind, region=region))


@router.get("/dashboard/case-heat", responses=ERRORS)
def case_heat(session: SessionDep, principal: Reader, region: RegionCode = None) -> Response:
    """Open and overdue cases per grid: ``[grid, lat, lng, open, overdue]``."""
    return _json(service.case_heat(session, principal=principal, region=region))


@router.get("/dashboard/grids/{code}", responses=ERRORS)
def grid_panel(session: SessionDep, principal: Reader, code: str) -> Response:
    """One grid: counts, worker, today's patrol, open and overdue cases, facilities, cameras."""
    return _json(service.grid_panel(session, principal=principal, code=code))
