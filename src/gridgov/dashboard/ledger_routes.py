"""Ledger downloads: ``/api/v1/ledgers`` (the list), ``/api/v1/ledgers/{kind}.xlsx`` (on demand)
and ``/api/v1/ledgers/files/{id}`` (the monthly ledgers the scheduler made)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, StreamingResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import LEDGER_ROLES
from gridgov.authz.principal import Principal
from gridgov.dashboard import ledger_files, ledgers
from gridgov.dashboard.aggregates import local_today
from gridgov.kit.db import request_session

router = APIRouter(tags=["ledgers"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
LedgerReader = Annotated[Principal, Depends(require_roles(*LEDGER_ROLES))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Missing or invalid period"},
    401: {"description": "Not signed in"},
    403: {"description": "Role may not download ledgers"},
    404: {"description": "Unknown ledger, or region unknown or outside the caller's scope"},
}


def attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}


@router.get("/ledgers", responses=ERRORS)
def list_ledgers(session: SessionDep, principal: LedgerReader) -> dict[str, Any]:
    """The ledgers one can make on demand, and the monthly ones already made in one's scope."""
    return {
        "kinds": list(ledgers.catalogue()),
        "files": [ledger_files.to_read(f) for f in ledger_files.list_files(session, principal)],
    }


@router.get(
    "/ledgers/{kind}.xlsx",
    responses={200: {"content": {XLSX: {}}}, **ERRORS},
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


@router.get(
    "/ledgers/files/{file_id}",
    responses={200: {"content": {XLSX: {}}}, **ERRORS},
    response_class=FileResponse,
)
def download_file(session: SessionDep, principal: LedgerReader, file_id: int) -> FileResponse:
    """A ledger made by the scheduler (its region in the caller's scope, else 404)."""
    row, path = ledger_files.open_file(session, principal=principal, file_id=file_id)
    return FileResponse(path, media_type=XLSX, headers=attachment(row.filename))
