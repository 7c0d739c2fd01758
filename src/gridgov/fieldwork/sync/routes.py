"""The sync endpoints of the field app."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal, require_roles
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.sync import conflicts, service
from gridgov.fieldwork.sync.repository import SubmissionRepository
from gridgov.fieldwork.sync.schemas import (
    ConflictFullRead,
    ConflictRead,
    ConflictResolve,
    FullViewRequest,
    SubmissionRead,
    SyncBatch,
    SyncRecord,
    SyncResponse,
    SyncResult,
)
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.people.auth import FULL_VIEW_ROLES

router = APIRouter(prefix="/field", tags=["field sync"])
DB = Annotated[Session, Depends(request_session, scope="function")]
SUPERVISOR_ROLES = (
    Role.COMMUNITY_STAFF,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
    Role.LEADER,
    Role.SHIFT_LEADER,
    Role.SYSTEM_ADMIN,
)
Supervisor = Annotated[Principal, Depends(require_roles(*SUPERVISOR_ROLES))]
# Supervisors who may also see a resident's ID number and phone in full (people.auth).
FullViewer = Annotated[
    Principal, Depends(require_roles(*(r for r in SUPERVISOR_ROLES if r in FULL_VIEW_ROLES)))
]


@router.post("/sync")
def sync(batch: SyncBatch, session: DB, principal: CurrentPrincipal) -> SyncResponse:
    """Store a batch of queued records, each exactly once (see docs/fieldwork.md)."""
    results = service.sync_batch(session, principal=principal, records=batch.records)
    counts = dict(Counter(r.status for r in results))
    return SyncResponse(results=results, counts=counts)


@router.put(
    "/records/{uuid}",
    responses={
        409: {"description": "same UUID, different content"},
        400: {"description": "invalid"},
    },
)
def put_record(
    uuid: str, record: SyncRecord, session: DB, principal: CurrentPrincipal, response: Response
) -> SyncResult:
    """One record on its own: 201 stored, 200 duplicate, 202 stale (for review), 409, 400."""
    if record.uuid != uuid:
        raise BadRequest("路径与记录的 UUID 不一致", "UUID in path and body differ")
    [result] = service.sync_batch(session, principal=principal, records=[record])
    # Both refusals keep what the batch wrote (the conflict row kept for review, the trail).
    if result.status == "rejected":
        raise service.UuidReused(uuid)
    if result.status == "invalid":
        raise service.RecordInvalid(result.errors or [])
    response.status_code = result.code
    return result


@router.get("/submissions")
def submissions(
    session: DB, principal: CurrentPrincipal, kind: str | None = None, limit: int = 100
) -> list[SubmissionRead]:
    """The caller's own records (a worker) or those of the caller's area, ID numbers and
    phones masked."""
    rows = SubmissionRepository(session).list_readable(principal, kind=kind, limit=min(limit, 500))
    items = [SubmissionRead.model_validate(row, from_attributes=True) for row in rows]
    return conflicts.with_case_states(session, items)


@router.get("/conflicts")
def list_conflicts(
    session: DB, principal: Supervisor, state: str | None = "open"
) -> list[ConflictRead]:
    """Records kept for review in the caller's area, ID numbers and phones masked."""
    return conflicts.list_readable(session, principal=principal, state=state)


@router.post("/conflicts/{conflict_id}/full-view", responses={404: {"description": "not yours"}})
def conflict_full_view(
    conflict_id: int, body: FullViewRequest, session: DB, principal: FullViewer
) -> ConflictFullRead:
    """The record kept for review unmasked; the purpose is written to the audit trail."""
    return conflicts.full_view(
        session, principal=principal, conflict_id=conflict_id, purpose=body.purpose
    )


@router.post("/conflicts/{conflict_id}/resolve")
def resolve_conflict(
    conflict_id: int, body: ConflictResolve, session: DB, principal: Supervisor
) -> ConflictRead:
    conflict = conflicts.resolve(
        session, principal=principal, conflict_id=conflict_id, resolution=body.resolution
    )
    return ConflictRead.model_validate(conflict, from_attributes=True)
