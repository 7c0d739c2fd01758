"""The trail for auditors: list with filters, CSV export, chain verification."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.audit import service
from gridgov.audit.schemas import AuditEntryRead, AuditFilter, VerifyRead
from gridgov.auth.deps import require_roles
from gridgov.auth.schemas import NO_NUL
from gridgov.authz.policy import TRAIL_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.kit.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/audit", tags=["audit"])

DbSession = Annotated[Session, Depends(request_session, scope="function")]
Auditor = Annotated[Principal, Depends(require_roles(*TRAIL_READERS))]
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Sign-in required"},
    403: {"description": "Only auditors read the trail"},
}


BEIJING = timezone(timedelta(hours=8), "CST")


def parse_time(value: str | None, *, naive: timezone, name: str) -> datetime | None:
    """ISO 8601; empty means no bound; a time without zone is read in ``naive``."""
    if value is None or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(
            f"{name} 时间格式无效（ISO 8601）", f"{name}: not an ISO 8601 time", value=value[:40]
        ) from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=naive)


def filter_dependency(naive: timezone) -> Callable[..., AuditFilter]:
    def audit_filter(
        user: Annotated[
            str | None, Query(max_length=64, pattern=NO_NUL, description="username or user id")
        ] = None,
        object_type: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
        object_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
        action: Annotated[
            str | None,
            Query(
                max_length=64,
                pattern=NO_NUL,
                description='exact, or a family ending in "." (auth.)',
            ),
        ] = None,
        outcome: Annotated[str | None, Query(max_length=16, pattern=NO_NUL)] = None,
        since: Annotated[
            str | None, Query(max_length=40, description="ISO 8601; without zone: UTC")
        ] = None,
        until: Annotated[str | None, Query(max_length=40)] = None,
        request_id: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    ) -> AuditFilter:
        return AuditFilter(
            user=user or None,
            object_type=object_type or None,
            object_id=object_id or None,
            action=action or None,
            outcome=outcome or None,
            since=parse_time(since, naive=naive, name="since"),
            until=parse_time(until, naive=naive, name="until"),
            request_id=request_id or None,
        )

    return audit_filter


Filters = Annotated[AuditFilter, Depends(filter_dependency(UTC))]
# Pages: times typed without a zone are Beijing time (the form's datetime-local).
PageFilters = Annotated[AuditFilter, Depends(filter_dependency(BEIJING))]


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
