"""Tasks that other domains' states imply, made on demand.

A case in state ``handled`` (处置反馈, waiting for the on-site check) is a verification task for
its grid's worker; completing the task makes the case loop's ``verify`` move with the result.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.models.task import Task
from gridgov.tasks import service
from gridgov.tasks.repository import TaskRepository

CASE_VERIFICATION = "case_verification"
VERIFY_MODULE = None  # the result form: {"result": "pass"|"fail", "note": "..."}


def sync_case_verifications(session: Session, *, principal: Principal) -> list[Task]:
    """Make sure every case waiting for verification in the worker's grid has its task."""
    if principal.role != Role.GRID_WORKER or not principal.region_code:
        return []
    made = []
    waiting = TaskRepository(session).cases_awaiting_verification(principal.region_code)
    for case_id, number, description, rework, lng, lat, due in waiting:
        made.append(
            service.create(
                session,
                kind=CASE_VERIFICATION,
                title=f"核查案件 {number}",
                description=str(description)[:4000],
                grid_code=principal.region_code,
                due_at=due,
                subject_type="case",
                subject_id=str(case_id),
                lng=lng,
                lat=lat,
                source_ref=f"case:{case_id}:verify:{rework}",
            )
        )
    return made


def _verify_case(session: Session, task: Task, principal: Principal) -> None:
    from gridgov.cases.schemas import TransitionIn
    from gridgov.cases.states import Move
    from gridgov.cases.workflow import transition

    result = (task.result or {}).get("result")
    note = (task.result or {}).get("note") or None
    transition(
        session,
        principal=principal,
        case_id=int(task.subject_id or 0),
        move=Move.VERIFY,
        body=TransitionIn(result=result if result in ("pass", "fail") else None, note=note),
    )


service.on_complete(CASE_VERIFICATION, _verify_case)
