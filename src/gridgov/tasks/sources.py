"""Tasks that other domains' moves make.

The case loop's feedback move (处置反馈: the department reports back) makes the on-site
verification task for the grid's worker in the same transaction, so the worker's phone gets it
with its next bundle; completing the task makes the loop's ``verify`` move with the result. A
case that leaves ``handled`` another way (verified on a page, reworked, cancelled, merged)
cancels its open verification task.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, system_principal
from gridgov.cases.schemas import TransitionIn
from gridgov.cases.states import Move
from gridgov.cases.workflow import on_move, transition
from gridgov.models.case import Case
from gridgov.models.task import Task
from gridgov.tasks import service
from gridgov.tasks.repository import TaskRepository

CASE_VERIFICATION = service.CASE_VERIFICATION
SYSTEM = "case-verification"


def verification_ref(case: Case) -> str:
    # One task per round: a rework starts a new one.
    return f"case:{case.id}:verify:{case.rework_count}"


def make_verification_task(session: Session, case: Case) -> Task | None:
    """The verification task of a handled case (idempotent); none for a case without a grid."""
    if not case.grid_code:
        return None
    return service.create(
        session,
        principal=system_principal(SYSTEM),
        kind=CASE_VERIFICATION,
        title=f"核查案件 {case.number}",
        description=str(case.description)[:4000],
        grid_code=case.grid_code,
        due_at=case.step_due_at,
        subject_type="case",
        subject_id=str(case.id),
        lng=case.lng,
        lat=case.lat,
        source_ref=verification_ref(case),
    )


def _after_feedback(session: Session, case: Case, _move: Move, _principal: Principal) -> None:
    make_verification_task(session, case)


def _after_leaving(session: Session, case: Case, move: Move, principal: Principal) -> None:
    task = TaskRepository(session).by_source_ref(verification_ref(case))
    if task is None or task.state not in service.OPEN_STATES:
        return  # done through the task itself, or never made
    service.cancel(
        session,
        principal=system_principal(SYSTEM),
        task_id=task.id,
        reason=f"案件已{'核查' if move == Move.VERIFY else '处理'}（{move}，{principal.username}）",
    )


def _verify_case(session: Session, task: Task, principal: Principal) -> None:
    result = (task.result or {}).get("result")
    note = (task.result or {}).get("note") or None
    # The phone's photos of the site (media ids once uploaded) go with the verification.
    photos = [int(p) for p in (task.result or {}).get("photos") or [] if str(p).isdigit()]
    transition(
        session,
        principal=principal,
        case_id=int(task.subject_id or 0),
        move=Move.VERIFY,
        body=TransitionIn(
            result=result if result in ("pass", "fail") else None, note=note, photo_ids=photos
        ),
    )


on_move(_after_feedback, Move.FEEDBACK)
on_move(_after_leaving, Move.VERIFY, Move.REWORK, Move.CANCEL, Move.MERGE)
service.on_complete(CASE_VERIFICATION, _verify_case)
