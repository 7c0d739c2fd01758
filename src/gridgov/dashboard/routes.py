"""Supervision dashboard and Excel ledgers: API (``/api/v1/dashboard/…``, ``/api/v1/ledgers/…``).

Ledger downloads: ``/api/v1/ledgers`` (the list), ``/api/v1/ledgers/{kind}.xlsx`` (on demand)
and ``/api/v1/ledgers/files/{id}`` (the monthly ledgers the scheduler made)."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import DASHBOARD_ROLES, LEDGER_ROLES
from gridgov.authz.principal import Principal
from gridgov.dashboard import ledger_files, ledgers, service
from gridgov.dashboard.aggregates import local_today
from gridgov.kit.db import request_session

router = APIRouter(tags=["dashboard"])
ledger_router = APIRouter(tags=["ledgers"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*DASHBOARD_ROLES))]
LedgerReader = Annotated[Principal, Depends(require_roles(*LEDGER_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RegionCode = Annotated[str | None, Query(max_length=15, pattern=r"^(\d{6,15})?$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unknown indicator or kind"},
    401: {"description": "Not signed in"},
    403: {"description": "Role may not open the dashboard"},
    404: {"description": "Region unknown or outside the caller's scope"},
}
LEDGER_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Missing or invalid period"},
    401: {"description": "Not signed in"},
    403: {"description": "Role may not download ledgers"},
    404: {"description": "Unknown ledger, or region unknown or outside the caller's scope"},
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


# Ledgers (``/ledgers``)


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@ledger_router.get("/ledgers", responses=LEDGER_ERRORS)
def list_ledgers(session: SessionDep, principal: LedgerReader) -> dict[str, Any]:
    """The ledgers one can make on demand, and the monthly ones already made in one's scope."""
    return {
        "kinds": list(ledgers.catalogue()),
        "files": [ledger_files.to_read(f) for f in ledger_files.list_files(session, principal)],
    }


@ledger_router.get(
    "/ledgers/{kind}.xlsx",
    responses={200: {"content": {XLSX: {}}}, **LEDGER_ERRORS},
    response_class=StreamingResponse,
)
def download(
    session: SessionDep,
    principal: LedgerReader,
    kind: str,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^(\d{6,15})?$")] = None,
    start: date | None = None,
    end: date | None = None,
) -> StreamingResponse:
    """One ledger as an Excel workbook, for a region in the caller's scope (else 404)."""
    request = ledgers.prepare(
        session, principal=principal, kind=kind, region=region, start=start, end=end
    )
    today = local_today()
    handle, _ = ledgers.write_to_tempfile(
        session, principal=principal, request=request, today=today
    )

    def chunks() -> Any:
        with handle:
            while block := handle.read(1 << 16):
                yield block

    name = ledgers.filename(request, today)
    return StreamingResponse(chunks(), media_type=XLSX, headers=attachment(name))


@ledger_router.get(
    "/ledgers/files/{file_id}",
    responses={200: {"content": {XLSX: {}}}, **LEDGER_ERRORS},
    response_class=FileResponse,
)
def download_file(session: SessionDep, principal: LedgerReader, file_id: int) -> FileResponse:
    """A ledger made by the scheduler (its region in the caller's scope, else 404)."""
    row, path = ledger_files.open_file(session, principal=principal, file_id=file_id)
    return FileResponse(path, media_type=XLSX, headers=attachment(row.filename))


router.include_router(ledger_router)  # after its routes: include_router copies them
