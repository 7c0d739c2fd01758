"""What a stored field record becomes elsewhere: a new version of a person/household/house/
organisation, a newcomer registered as a new person (``newcomers.py``), a case in the case loop,
a completed task.

Each effect runs in a savepoint inside the batch's transaction: a business error (e.g. an
unknown subject) leaves the record stored with state ``error`` and the reason, instead of
blocking the phone's queue; an unexpected error aborts the whole batch, which the phone re-sends.
Plain form records (no subject, no task, no newcomer) have no effect and cost no query here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.forms.registry import ModuleRef
from gridgov.fieldwork.sync import newcomers, personal
from gridgov.fieldwork.sync.bridges import create_case_from_report, update_population
from gridgov.fieldwork.sync.repository import SubmissionRepository
from gridgov.fieldwork.sync.schemas import Outcome
from gridgov.kit.errors import Conflict, GridgovError
from gridgov.models.field_submission import FieldSubmission
from gridgov.tasks import service as tasks


def needs_effect(row: dict[str, Any], module: ModuleRef | None) -> bool:
    if row["kind"] in ("report", "task_result"):
        return True
    if newcomers.is_newcomer(row["kind"], module, row.get("subject_id")):
        return True
    return bool(module and module.target and row.get("subject_id"))


def apply_all(
    session: Session,
    *,
    principal: Principal,
    submission_ids: Sequence[int],
    rows: Sequence[dict[str, Any]],
    modules: dict[tuple[str, int | None], ModuleRef],
    households: dict[str, int] | None = None,
) -> dict[int, Outcome]:
    """Run the effects of the freshly stored records ``rows`` (same order as their ids);
    ``households``: uuid → house of the household a newcomer record asks for."""
    wanted = [
        submission_id
        for submission_id, row in zip(submission_ids, rows, strict=True)
        if needs_effect(row, _module_of(row, modules))
    ]
    outcomes: dict[int, Outcome] = {}
    loaded = {s.id: s for s in SubmissionRepository(session).by_ids(wanted)}
    # In the order the phone sent them (the database returns rows in any order): of two results
    # for one task, the first sent completes it and the second is the error.
    for submission in (loaded[submission_id] for submission_id in wanted):
        module = _module_of(
            {"module_code": submission.module_code, "module_version": submission.module_version},
            modules,
        )
        try:
            with session.begin_nested():
                outcome = _apply(
                    session,
                    principal=principal,
                    submission=submission,
                    module=module,
                    house_id=(households or {}).get(submission.uuid),
                )
        except newcomers.IdExists as exc:
            outcome = Outcome("conflict", reason=exc.message_en, review="id_exists")
        except Conflict as exc:
            # A stale base version is a conflict for review; any other conflict (e.g. a task
            # completed meanwhile from another record) is an error the worker sees.
            state = "conflict" if submission.kind == "form" else "error"
            outcome = Outcome(state, reason=exc.message_en, message=exc.message, code=exc.code)
        except GridgovError as exc:
            outcome = Outcome("error", reason=exc.message_en, message=exc.message, code=exc.code)
        submission.state = outcome.state
        submission.result_ref = outcome.ref
        submission.effect_error = outcome.why() if outcome.state == "error" else None
        outcomes[submission.id] = outcome
    session.flush()
    return outcomes


def _module_of(
    row: dict[str, Any], modules: dict[tuple[str, int | None], ModuleRef]
) -> ModuleRef | None:
    code = row.get("module_code")
    if not code:
        return None
    for ref in modules.values():
        if ref.code == code and ref.version == row.get("module_version"):
            return ref
    return None


def _apply(
    session: Session,
    *,
    principal: Principal,
    submission: FieldSubmission,
    module: ModuleRef | None,
    house_id: int | None,
) -> Outcome:
    if submission.kind == "report":
        return create_case_from_report(session, principal=principal, submission=submission)
    if submission.kind == "task_result":
        # The task keeps what is shown (and trailed): masks; the full values stay encrypted in
        # the submission it names.
        task = tasks.complete(
            session,
            principal=principal,
            task_id=int(submission.task_id or 0),
            result=personal.masked(submission.data),
            submission_uuid=submission.uuid,
        )
        outcome = Outcome("applied", ref=f"task:{task.id}")
        if module and module.target and submission.subject_id:
            _population(session, principal=principal, submission=submission, module=module)
        return outcome
    assert module is not None
    if newcomers.is_newcomer(submission.kind, module, submission.subject_id):
        newcomer = newcomers.Newcomer(
            module=module,
            data=personal.unseal(submission.data, module),
            grid_code=str(submission.grid_code),
            house_id=house_id,
            reason=f"{module.code}@{module.version} {submission.uuid}",
        )
        person = newcomers.register(session, principal=principal, newcomer=newcomer)
        return Outcome("applied", ref=f"person:{person.id}@v{person.version}")
    return _population(session, principal=principal, submission=submission, module=module)


def _population(
    session: Session, *, principal: Principal, submission: FieldSubmission, module: ModuleRef
) -> Outcome:
    changes = newcomers.bound_values(module, personal.unseal(submission.data, module))
    return update_population(
        session,
        principal=principal,
        target=str(module.target),
        subject_id=str(submission.subject_id),
        base_version=submission.base_version,
        changes=changes,
        reason=f"{module.code}@{module.version} {submission.uuid}",
    )


def check_task(
    session: Session, *, principal: Principal, task_id: int | None
) -> dict[str, str] | None:
    """Why a task result cannot be accepted (None: it can)."""
    if task_id is None:
        return {
            "field": "task_id",
            "code": "required",
            "message": "缺少任务编号",
            "message_en": "task_id is required",
        }
    try:
        tasks.get_readable(session, principal=principal, task_id=task_id)
    except GridgovError as exc:
        return {
            "field": "task_id",
            "code": exc.code,
            "message": exc.message,
            "message_en": exc.message_en,
        }
    return None
