"""Worker tasks: list, accept, complete, refuse; staff create and cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal
from gridgov.kit.db import request_session
from gridgov.tasks import service
from gridgov.tasks import sources as _sources  # noqa: F401  (the moves that make tasks)
from gridgov.tasks.schemas import CancelIn, TaskComplete, TaskCreate, TaskRead, TaskRefuse

router = APIRouter(prefix="/tasks", tags=["tasks"])
DB = Annotated[Session, Depends(request_session, scope="function")]


@router.get("")
def list_tasks(
    session: DB, principal: CurrentPrincipal, state: Annotated[list[str] | None, Query()] = None
) -> list[TaskRead]:
    states = tuple(state) if state else service.OPEN_STATES
    tasks = service.list_readable(session, principal=principal, states=states)
    return [TaskRead.model_validate(t) for t in tasks]


@router.post("", status_code=201)
def create(body: TaskCreate, session: DB, principal: CurrentPrincipal) -> TaskRead:
    task = service.create(session, principal=principal, **body.model_dump())
    return TaskRead.model_validate(task)


@router.get("/{task_id}")
def get(task_id: int, session: DB, principal: CurrentPrincipal) -> TaskRead:
    return TaskRead.model_validate(
        service.get_readable(session, principal=principal, task_id=task_id)
    )


@router.post("/{task_id}/accept")
def accept(task_id: int, session: DB, principal: CurrentPrincipal) -> TaskRead:
    task = service.accept(session, principal=principal, task_id=task_id)
    return TaskRead.model_validate(task)


@router.post("/{task_id}/complete")
def complete(
    task_id: int, body: TaskComplete, session: DB, principal: CurrentPrincipal
) -> TaskRead:
    task = service.complete(session, principal=principal, task_id=task_id, result=body.result)
    return TaskRead.model_validate(task)


@router.post("/{task_id}/refuse")
def refuse(task_id: int, body: TaskRefuse, session: DB, principal: CurrentPrincipal) -> TaskRead:
    """The grid's worker refuses the task: a reason code, free text, both or neither (no
    reason at all is allowed, and is what the evaluation deducts for)."""
    task = service.refuse(
        session, principal=principal, task_id=task_id, reason=body.reason, note=body.note
    )
    return TaskRead.model_validate(task)


@router.post("/{task_id}/cancel")
def cancel(task_id: int, body: CancelIn, session: DB, principal: CurrentPrincipal) -> TaskRead:
    task = service.cancel(session, principal=principal, task_id=task_id, reason=body.reason)
    return TaskRead.model_validate(task)
