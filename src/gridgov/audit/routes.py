"""The trail for auditors: list with filters, CSV export, chain verification."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.audit import service
from gridgov.audit.schemas import AuditEntryRead, AuditFilter, VerifyRead
from gridgov.auth.deps import require_roles
from gridgov.authz.policy import TRAIL_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/audit", tags=["audit"])

DbSession = Annotated[Session, Depends(request_session)]
Auditor = Annotated[Principal, Depends(require_roles(*TRAIL_READERS))]
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Sign-in required"},
    403: {"description": "Only auditors read the trail"},
}


def audit_filter(
    user: Annotated[str | None, Query(max_length=64, description="username or user id")] = None,
    object_type: Annotated[str | None, Query(max_length=64)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    action: Annotated[
        str | None, Query(max_length=64, description='exact, or a family ending in "." (auth.)')
    ] = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    request_id: Annotated[str | None, Query(max_length=64)] = None,
) -> AuditFilter:
    return AuditFilter(
        user=user,
        object_type=object_type,
        object_id=object_id,
        action=action,
        outcome=outcome,
        since=since,
        until=until,
        request_id=request_id,
    )


Filters = Annotated[AuditFilter, Depends(audit_filter)]


@router.get("", response_model=Page[AuditEntryRead], responses=_ERRORS)
def list_audit_entries(
    principal: Auditor,
    session: DbSession,
    filters: Filters,
    page: Annotated[PageParams, Depends(page_params)],
) -> Page[AuditEntryRead]:
    """Trail entries, newest first, filtered by user, object, action, outcome and time."""
    rows, total = service.list_entries(session, principal=principal, filters=filters, page=page)
    return Page[AuditEntryRead](
        items=[AuditEntryRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@router.get("/export.csv", responses=_ERRORS, response_class=Response)
def export_audit_entries(principal: Auditor, session: DbSession, filters: Filters) -> Response:
    """The filtered entries as CSV (at most 100,000 rows; narrow the filter for more)."""
    body = service.export_csv(session, principal=principal, filters=filters)
    return Response(
        content=body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="gridgov-audit.csv"'},
    )


@router.get("/verify", response_model=VerifyRead, responses=_ERRORS)
def verify_chain(principal: Auditor, session: DbSession) -> VerifyRead:
    """Recompute the whole chain and name the first broken entry, if any."""
    return service.verify(session, principal=principal)
