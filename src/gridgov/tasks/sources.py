"""Tasks that other domains' states imply, made on demand.

A case in state ``handled`` (处置反馈, waiting for the on-site check) is a verification task for
its grid's worker; completing the task makes the case loop's ``verify`` move with the result.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.models.case import Case
from gridgov.models.task import Task
from gridgov.tasks import service

CASE_VERIFICATION = "case_verification"
VERIFY_MODULE = None  # the result form: {"result": "pass"|"fail", "note": "..."}


def _handled_cases(
    session: Session, grid_code: str
) -> list[tuple[int, str, str, int, float | None, float | None, object]]:
    rows = session.execute(
        select(
            Case.id,
            Case.number,
            Case.description,
            Case.rework_count,
            Case.lng,
            Case.lat,
            Case.step_due_at,
        )
        .where(Case.grid_code == grid_code, Case.state == "handled")
        .order_by(Case.id)
        .limit(200)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]


def sync_case_verifications(session: Session, *, principal: Principal) -> list[Task]:
    """Make sure every case waiting for verification in the worker's grid has its task."""
    if principal.role != Role.GRID_WORKER or not principal.region_code:
        return []
    made = []
    for case_id, number, description, rework, lng, lat, due in _handled_cases(
        session, principal.region_code
    ):
        made.append(
            service.create(
                session,
                kind=CASE_VERIFICATION,
                title=f"核查案件 {number}",
                description=str(description)[:4000],
                grid_code=principal.region_code,
                due_at=due,  # type: ignore[arg-type]
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
