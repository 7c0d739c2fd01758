"""Records kept for review: a supervisor sees them and decides."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.sync import newcomers, personal
from gridgov.fieldwork.sync.bridges import update_population
from gridgov.fieldwork.sync.repository import ConflictRepository, SubmissionRepository
from gridgov.fieldwork.sync.schemas import ConflictFullRead, ConflictRead, SubmissionRead
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict, NotFound
from gridgov.models.field_submission import SyncConflict
from gridgov.people.auth import FULL_VIEW_ROLES, ensure_role


def list_readable(
    session: Session, *, principal: Principal, state: str | None
) -> list[ConflictRead]:
    """The records kept for review in the caller's area, ID numbers and phones masked."""
    return [
        ConflictRead.model_validate(c, from_attributes=True)
        for c in ConflictRepository(session).list_readable(principal, state=state)
    ]


def _readable(session: Session, principal: Principal, conflict_id: int) -> SyncConflict:
    conflict = ConflictRepository(session).get_readable(principal, conflict_id)
    if conflict is None:
        raise NotFound("冲突记录不存在", "No such conflict")
    return conflict


def full_view(
    session: Session, *, principal: Principal, conflict_id: int, purpose: str
) -> ConflictFullRead:
    """The record kept for review with its resident ID and phone in full — for the roles that
    see a person's record in full (e.g. to compare a newcomer with the known person), the
    purpose written to the trail like the person full view."""
    ensure_role(principal, FULL_VIEW_ROLES)
    conflict = _readable(session, principal, conflict_id)
    record = conflict.record
    key = (str(record.get("module")), record.get("module_version"))
    module = registry.resolve(session, {key}).get(key) if record.get("module") else None
    trail.record(
        session,
        action="field.conflict.full_view",
        object_type="field_sync_conflict",
        object_id=conflict.id,
        principal=principal,
        purpose=purpose,
    )
    shown = ConflictRead.model_validate(conflict, from_attributes=True)
    return ConflictFullRead(
        **shown.model_dump(exclude={"record"}),
        record=personal.unsealed_record(record, module),
    )


def resolve(
    session: Session, *, principal: Principal, conflict_id: int, resolution: str
) -> SyncConflict:
    """``accept`` applies a stale update on top of the current version (a new version, nothing
    overwritten: the version it replaces stays in the history), or a newcomer whose ID number
    was known to the person with that number; ``discard`` keeps the base as it is. A UUID
    mismatch can only be discarded (the stored record stands)."""
    conflict = _readable(session, principal, conflict_id)
    if conflict.state != "open":
        raise Conflict("该冲突已处理", "Already resolved")
    if resolution == "accept":
        if conflict.kind not in ("stale", "id_exists"):
            raise Conflict("同一编号的不同内容只能驳回", "A UUID mismatch can only be discarded")
        _apply(session, principal=principal, conflict=conflict)
    conflict.state = "resolved"
    conflict.resolution = resolution
    conflict.resolved_by = principal.user_id
    conflict.resolved_at = utcnow()
    trail.record(
        session,
        action="field.conflict.resolve",
        object_type="field_sync_conflict",
        object_id=conflict.id,
        principal=principal,
        after={"resolution": resolution, "uuid": conflict.uuid, "kind": conflict.kind},
    )
    return conflict


def _apply(session: Session, *, principal: Principal, conflict: SyncConflict) -> None:
    submission = SubmissionRepository(session).get_by_uuid(conflict.uuid)
    if submission is None or not submission.module_code:
        raise NotFound("原记录不存在", "The stored record is missing")
    ref = registry.resolve(session, {(submission.module_code, submission.module_version)})
    module = ref[(submission.module_code, submission.module_version)]
    reason = f"conflict {conflict.id} accepted"
    data = personal.unseal(submission.data, module)
    if conflict.kind == "id_exists":
        household = conflict.record.get("new_household") or {}
        newcomer = newcomers.Newcomer(
            module=module,
            data=data,
            grid_code=str(submission.grid_code),
            house_id=household.get("house_id"),
            reason=reason,
        )
        person = newcomers.accept(session, principal=principal, newcomer=newcomer)
        submission.state = "applied"
        submission.result_ref = f"person:{person.id}@v{person.version}"
        return
    outcome = update_population(
        session,
        principal=principal,
        target=str(module.target),
        subject_id=str(submission.subject_id),
        base_version=None,
        changes=newcomers.bound_values(module, data),
        reason=reason,
    )
    submission.state = outcome.state
    submission.result_ref = outcome.ref


def with_case_states(session: Session, items: list[SubmissionRead]) -> list[SubmissionRead]:
    """Reports carry their case's state and number, so the worker sees how a problem is going."""
    case_of = {
        id(item): int(item.result_ref.split(":", 1)[1])
        for item in items
        if item.kind == "report" and item.result_ref and item.result_ref.startswith("case:")
    }
    states = SubmissionRepository(session).case_states(sorted(set(case_of.values())))
    for item in items:
        found = states.get(case_of.get(id(item), -1))
        if found is not None:
            item.case_state, item.case_number = found
    return items
