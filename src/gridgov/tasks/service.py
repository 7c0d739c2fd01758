"""Worker tasks: created by other domains (case verification, life-cycle events) or by staff,
accepted and completed by the grid's worker with a result (a module form or a note).

Other domains react to completion by registering a handler for their task kind
(:func:`on_complete`), so this module never needs to know about cases or people.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import covers
from gridgov.authz.principal import Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.lifecycle.admission import ensure_admitted
from gridgov.models.task import Task
from gridgov.tasks.repository import TaskRepository
from gridgov.tasks.vocabulary import REFUSAL_REASONS

OPEN_STATES = ("open", "accepted")
# The on-site check of a case is part of the case loop: the worker verifies (pass or fail), never
# refuses it (the case would wait forever: the system makes its verification task only once).
CASE_VERIFICATION = "case_verification"
CREATOR_ROLES = (
    Role.COMMUNITY_STAFF,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
    Role.SHIFT_LEADER,
    Role.DISPATCHER,
)
CompletionHandler = Callable[[Session, Task, Principal], None]
_HANDLERS: dict[str, list[CompletionHandler]] = {}


class TaskNotFound(NotFound):
    code = "task_not_found"


class TaskStateConflict(Conflict):
    code = "task_state"


def on_complete(kind: str, handler: CompletionHandler) -> None:
    """Register ``handler(session, task, principal)`` to run when a task of ``kind`` completes
    (``"*"``: any kind)."""
    _HANDLERS.setdefault(kind, []).append(handler)


def _snapshot(task: Task) -> dict[str, Any]:
    return {"state": task.state, "assignee_user_id": task.assignee_user_id}


@dataclass(frozen=True)
class NewTask:
    """One task to create (:func:`create_many`)."""

    kind: str
    title: str
    grid_code: str
    description: str | None = None
    due_at: datetime | None = None
    module_code: str | None = None
    subject_type: str | None = None
    subject_id: str | None = None
    lng: float | None = None
    lat: float | None = None
    source_ref: str | None = None
    assignee_user_id: int | None = None


def create(session: Session, *, principal: Principal, **fields: Any) -> Task:
    """Create a task for a grid's worker (the fields of :class:`NewTask`). ``source_ref`` (the
    system's idempotency key: the same key again returns the task made before) is for the
    system's own makers only."""
    return create_many(session, principal=principal, tasks=[NewTask(**fields)])[0]


def create_many(session: Session, *, principal: Principal, tasks: Sequence[NewTask]) -> list[Task]:
    """Create tasks at once: one look-up of their source references, one flush, their trail
    entries together. Returns them in order (a known ``source_ref``: the task made before)."""
    repository = TaskRepository(session)
    if not principal.system and principal.role not in CREATOR_ROLES:
        raise Forbidden("无权派发任务", "You may not assign tasks")
    for grid_code in {t.grid_code for t in tasks}:
        if not covers(principal, grid_code):
            raise Forbidden("该网格不在您的管辖范围", "That grid is outside your area")
    refs = [t.source_ref for t in tasks if t.source_ref]
    if refs and not principal.system:
        raise Forbidden("任务来源只能由系统设定", "Only the system sets a task's source")
    known = repository.by_source_refs(refs)
    made: list[Task] = []
    for spec in tasks:
        if spec.source_ref and spec.source_ref in known:
            made.append(known[spec.source_ref])
            continue
        # 准入: only admitted task types reach grid workers (refused with the type's name).
        ensure_admitted(session, spec.kind)
        task = Task(state="open", **vars(spec))
        session.add(task)
        made.append(task)
        if spec.source_ref:
            known[spec.source_ref] = task
    new = [t for t in made if t.id is None]
    session.flush()
    trail.record_many(
        session,
        principal=principal,
        entries=[
            trail.Entry(
                "task.create",
                "task",
                task.id,
                after={
                    "kind": task.kind,
                    "grid_code": task.grid_code,
                    "source_ref": task.source_ref,
                    "due_at": task.due_at.isoformat() if task.due_at else None,
                },
            )
            for task in dict.fromkeys(new)
        ],
    )
    return made


def get_readable(session: Session, *, principal: Principal, task_id: int) -> Task:
    task = TaskRepository(session).get_readable(principal, task_id)
    if task is None:
        raise TaskNotFound("任务不存在或无权查看", "Task not found or not yours")
    return task


def list_readable(
    session: Session, *, principal: Principal, states: tuple[str, ...] = OPEN_STATES
) -> list[Task]:
    return TaskRepository(session).list_readable(principal, states=states)


def _worker_task(session: Session, principal: Principal, task_id: int) -> Task:
    if principal.role != Role.GRID_WORKER:
        raise Forbidden("只有本网格网格员可以办理任务", "Only the grid's worker handles its tasks")
    return get_readable(session, principal=principal, task_id=task_id)


def accept(session: Session, *, principal: Principal, task_id: int) -> Task:
    task = _worker_task(session, principal, task_id)
    if task.state == "accepted" and task.assignee_user_id == principal.user_id:
        return task
    if task.state != "open":
        raise TaskStateConflict(
            f"任务当前状态为「{task.state}」，不能接收", f"Task is {task.state}"
        )
    before = _snapshot(task)
    task.state = "accepted"
    task.assignee_user_id = principal.user_id
    task.accepted_at = utcnow()
    trail.record(
        session,
        action="task.accept",
        object_type="task",
        object_id=task.id,
        principal=principal,
        before=before,
        after=_snapshot(task),
    )
    return task


def complete(
    session: Session,
    *,
    principal: Principal,
    task_id: int,
    result: dict[str, Any],
    submission_uuid: str | None = None,
) -> Task:
    """Record the result and close the task (accepting it first if needed)."""
    task = _worker_task(session, principal, task_id)
    if task.state == "done":
        if submission_uuid and task.result_submission_uuid == submission_uuid:
            return task
        raise TaskStateConflict("任务已完成", "Task is already done")
    if task.state not in OPEN_STATES:
        raise TaskStateConflict(f"任务当前状态为「{task.state}」", f"Task is {task.state}")
    before = _snapshot(task)
    now = utcnow()
    task.accepted_at = task.accepted_at or now
    task.assignee_user_id = principal.user_id
    task.state = "done"
    task.result = result
    task.result_submission_uuid = submission_uuid
    task.completed_at = now
    task.completed_by = principal.user_id
    trail.record(
        session,
        action="task.complete",
        object_type="task",
        object_id=task.id,
        principal=principal,
        before=before,
        after={**_snapshot(task), "result": result},
    )
    # "*": handlers for every kind (life-cycle rules are data, their task kinds too).
    for handler in [*_HANDLERS.get(task.kind, []), *_HANDLERS.get("*", [])]:
        handler(session, task, principal)
    return task


def refuse(
    session: Session,
    *,
    principal: Principal,
    task_id: int,
    reason: str | None = None,
    note: str | None = None,
) -> Task:
    """The grid's worker refuses an open or accepted task, with a reason code
    (:data:`REFUSAL_REASONS`), free text, both or neither. Refusing without any reason is allowed
    (the task leaves the worker's list either way) but is what the evaluation rule
    ``task_refused_unreasoned`` deducts for. Refusing the same task again is a no-op."""
    task = _worker_task(session, principal, task_id)
    note = (note or "").strip() or None
    if reason is not None and reason not in REFUSAL_REASONS:
        raise BadRequest(f"未知的拒绝理由「{reason}」", f"Unknown refusal reason {reason!r}")
    if task.state == "refused" and task.refused_by == principal.user_id:
        return task
    if task.kind == CASE_VERIFICATION:
        raise TaskStateConflict(
            "案件核查任务不能拒绝：请到现场核查并填写结论（通过或不通过）",
            "A case verification cannot be refused: check on site and give the result (pass or fail)",
        )
    if task.state not in OPEN_STATES:
        raise TaskStateConflict(
            f"任务当前状态为「{task.state}」，不能拒绝", f"Task is {task.state}"
        )
    before = _snapshot(task)
    task.state = "refused"
    task.assignee_user_id = principal.user_id
    task.refused_at = utcnow()
    task.refused_by = principal.user_id
    task.refusal_reason = reason
    task.refusal_note = note
    trail.record(
        session,
        action="task.refuse",
        object_type="task",
        object_id=task.id,
        principal=principal,
        before=before,
        after={**_snapshot(task), "reason": reason},
        note=note,
    )
    return task


def cancel(session: Session, *, principal: Principal, task_id: int, reason: str) -> Task:
    if not principal.system and principal.role not in CREATOR_ROLES:
        raise Forbidden("无权撤销任务", "You may not cancel tasks")
    task = get_readable(session, principal=principal, task_id=task_id)
    if task.state not in OPEN_STATES:
        raise TaskStateConflict("任务已结束", "Task is closed")
    before = _snapshot(task)
    task.state = "cancelled"
    trail.record(
        session,
        action="task.cancel",
        object_type="task",
        object_id=task.id,
        principal=principal,
        before=before,
        after=_snapshot(task),
        note=reason,
    )
    return task
