"""The transition table, exhaustively: every role × state × move, through the service.

The expected table below is written independently of ``gridgov.cases.states`` (from
REFERENCE.md "The case loop"); a disallowed move raises and leaves the case unchanged.
"""

from __future__ import annotations

from itertools import product

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.cases import workflow
from gridgov.cases.schemas import CaseUpdate, TransitionIn
from gridgov.cases.states import Move, State, allowed
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import GridgovError
from gridgov.models.case import Case
from tests.cases.helpers import GRID_A

R, S, M = Role, State, Move
CLERK, DISP, LEAD = R.INTAKE_CLERK, R.DISPATCHER, R.SHIFT_LEADER
DEPT = {R.DEPARTMENT_HANDLER, R.DEPARTMENT_ADMIN}
# move: (states it may start from, roles allowed, resulting state or None for "unchanged")
EXPECTED: dict[Move, tuple[set[State], set[Role], State | None]] = {
    M.AMEND: ({S.REPORTED, S.REGISTERED}, {CLERK, DISP, LEAD}, None),
    M.REGISTER: ({S.REPORTED}, {CLERK, LEAD}, S.REGISTERED),
    M.REQUEST_CANCEL: ({S.REPORTED, S.REGISTERED}, {CLERK}, None),
    M.CANCEL: ({S.REPORTED, S.REGISTERED}, {LEAD}, S.CANCELLED),
    M.REJECT_CANCEL: ({S.REPORTED, S.REGISTERED}, {LEAD}, None),
    M.MERGE: ({S.REPORTED, S.REGISTERED}, {CLERK, DISP, LEAD}, S.MERGED),
    M.DISPATCH: ({S.REGISTERED}, {DISP, LEAD}, S.DISPATCHED),
    M.ACCEPT: ({S.DISPATCHED}, DEPT, S.ACCEPTED),
    M.REQUEST_RETURN: ({S.DISPATCHED, S.ACCEPTED}, DEPT, None),
    M.APPROVE_RETURN: ({S.DISPATCHED, S.ACCEPTED}, {DISP, LEAD}, S.REGISTERED),
    M.REJECT_RETURN: ({S.DISPATCHED, S.ACCEPTED}, {DISP, LEAD}, None),
    M.FEEDBACK: ({S.ACCEPTED}, DEPT, S.HANDLED),
    M.VERIFY: ({S.HANDLED}, {R.GRID_WORKER}, S.VERIFIED),
    M.CLOSE: ({S.VERIFIED}, {LEAD}, S.CLOSED),
    M.REWORK: ({S.HANDLED, S.VERIFIED}, {DISP, LEAD}, S.DISPATCHED),
    M.REQUEST_EXTENSION: ({S.DISPATCHED, S.ACCEPTED}, DEPT, None),
    M.APPROVE_EXTENSION: ({S.DISPATCHED, S.ACCEPTED}, {DISP, LEAD}, None),
    M.REJECT_EXTENSION: ({S.DISPATCHED, S.ACCEPTED}, {DISP, LEAD}, None),
    M.HOLD: ({S.REGISTERED, S.DISPATCHED, S.ACCEPTED}, {LEAD}, S.ON_HOLD),
    M.RESUME: ({S.ON_HOLD}, {LEAD}, S.DISPATCHED),  # back to where it was held
    M.SUPERVISE: (
        {S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.VERIFIED, S.ON_HOLD},
        {LEAD, R.LEADER},
        None,
    ),
}


def test_rule_table_matches_the_reference_for_every_combination() -> None:
    for role, state, move in product(Role, State, Move):
        states, roles, _ = EXPECTED[move]
        assert allowed(role, state, move) == (role in roles and state in states), (
            role,
            state,
            move,
        )


def principal_for(role: Role) -> Principal:
    return Principal(
        user_id=9000 + list(Role).index(role),
        username=f"t_{role}",
        role=role,
        region_code=GRID_A[
            : {R.COMMUNITY_STAFF: 12, R.STREET_STAFF: 9, R.DISTRICT_STAFF: 6}.get(role, 15)
        ]
        if role in (R.GRID_WORKER, R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF)
        else None,
        department_code="HW" if role in DEPT else None,
        grid_codes=frozenset({GRID_A}) if role == R.INSPECTOR else frozenset(),
    )


def make_case(db: Session, state: State, n: int) -> Case:
    now = utcnow()
    case = Case(
        number=f"T{n:011d}",
        channel="hotline",
        category_code="E0102",
        department_code="HW",
        state=state,
        priority="normal",
        description="测试",
        lng=111.005,
        lat=30.005,
        grid_code=GRID_A,
        reported_at=now,
        dispatched_at=now,
        supervision_level=0,
        rework_count=0,
        extension_count=0,
        verify_result="pass" if state == S.VERIFIED else None,
        hold_from_state=S.DISPATCHED if state == S.ON_HOLD else None,
        step="handle" if state in (S.DISPATCHED, S.ACCEPTED, S.ON_HOLD) else None,
        step_started_at=now,
        step_due_at=None if state == S.ON_HOLD else now,
        step_warn_at=now,
        paused_remaining_s=600 if state == S.ON_HOLD else None,
    )
    db.add(case)
    db.flush()
    return case


BODY = TransitionIn(
    note="理由 / reason",
    department_code="HW",
    result="pass",
    minutes=60,
    level=1,
    amend=CaseUpdate(priority="urgent"),
)


@pytest.mark.parametrize("state", list(State))
def test_every_role_and_move_through_the_service(db: Session, city: dict, state: State) -> None:
    target = make_case(db, S.REGISTERED, 0)
    case = make_case(db, state, 1)
    db.commit()
    for role, move in product(Role, Move):
        states, roles, result = EXPECTED[move]
        ok = role in roles and state in states
        snapshot = (case.state, case.version, case.supervision_level, case.priority)
        nested = db.begin_nested()
        if move in (M.APPROVE_EXTENSION, M.REJECT_EXTENSION):
            case.extension_minutes_requested = 60
        if move in (M.APPROVE_RETURN, M.REJECT_RETURN):
            case.pending_request = "return"
        if move == M.REJECT_CANCEL:
            case.pending_request = "cancel"
        body = BODY.model_copy(update={"target_case_id": target.id})
        try:
            done = workflow.transition(
                db, principal=principal_for(role), case_id=case.id, move=move, body=body
            )
        except GridgovError as exc:
            assert not ok, f"{role} {move} from {state} refused: {exc.message_en}"
            assert exc.status_code in (403, 404, 409), (role, move, state, exc.status_code)
        else:
            assert ok, f"{role} {move} from {state} was allowed"
            assert done.state == (result or state), (role, move, state)
        nested.rollback()
        db.expire(case)
        assert (case.state, case.version, case.supervision_level, case.priority) == snapshot
