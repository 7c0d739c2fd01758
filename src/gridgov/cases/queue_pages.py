"""The shift leader's approvals inbox (issue 10): every extension, return and cancellation
request waiting for a decision, decided in place, with the count beside the navigation entry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect, set_csrf_cookie
from gridgov.auth.deps import page_principal, page_roles
from gridgov.authz.principal import Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import workflow
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import TransitionIn
from gridgov.cases.states import Move
from gridgov.cases.vocabulary import working_time
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.models.case import Case, CaseEvent
from gridgov.web.i18n import N_, pick, request_language
from gridgov.web.names import account_names
from gridgov.web.nav import add_nav
from gridgov.web.render import render
from gridgov.workcal.calendar import MINUTES_PER_WORKING_DAY

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
# The shift leader decides every kind (dispatchers decide returns and extensions too, but the
# inbox is the shift leader's: cancellations are theirs alone).
Leader = Annotated[Principal, Depends(page_roles(Role.SHIFT_LEADER))]
CaseId = Annotated[int, Path(ge=1)]
SignedIn = Annotated[Principal, Depends(page_principal)]
# The request a case waits on → (the move that asked, approve, reject).
DECISIONS: dict[str, tuple[Move, Move, Move]] = {
    "extension": (Move.REQUEST_EXTENSION, Move.APPROVE_EXTENSION, Move.REJECT_EXTENSION),
    "return": (Move.REQUEST_RETURN, Move.APPROVE_RETURN, Move.REJECT_RETURN),
    "cancel": (Move.REQUEST_CANCEL, Move.CANCEL, Move.REJECT_CANCEL),
}
INBOX_LIMIT = 200
# Working minutes per unit a department asks for more time in.
EXTENSION_UNITS = {"days": MINUTES_PER_WORKING_DAY, "hours": 60}

add_nav(N_("待审批"), "/cases/approvals", {Role.SHIFT_LEADER}, badge="/cases/approvals/count")


@dataclass(frozen=True)
class Waiting:
    case: Case
    kind: str
    requested_at: datetime | None
    requested_by: str | None
    reason: str | None
    extension: str | None  # "2 个工作日" / "3 working hours"


def _waiting_statement(session: Session, principal: Principal) -> Select[Any]:
    return (
        CaseRepository(session)
        .readable_statement(principal)
        .where(
            or_(Case.pending_request.is_not(None), Case.extension_minutes_requested.is_not(None))
        )
    )


def waiting_count(session: Session, principal: Principal) -> int:
    stmt = _waiting_statement(session, principal).with_only_columns(func.count())
    return int(session.scalar(stmt) or 0)


def _waiting(session: Session, principal: Principal, language: str) -> list[Waiting]:
    cases = list(
        session.scalars(
            _waiting_statement(session, principal).order_by(Case.updated_at).limit(INBOX_LIMIT)
        )
    )
    if not cases:
        return []
    asks = [move.value for move, _, _ in DECISIONS.values()]
    latest: dict[tuple[int, str], CaseEvent] = {}
    for event in session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_([c.id for c in cases]), CaseEvent.move.in_(asks))
        .order_by(CaseEvent.id)
    ):
        latest[(event.case_id, event.move)] = event
    names = account_names(session, [e.actor_name for e in latest.values()])
    rows: list[Waiting] = []
    for case in cases:
        kinds = ([case.pending_request] if case.pending_request else []) + (
            ["extension"] if case.extension_minutes_requested else []
        )
        for kind in kinds:
            if kind not in DECISIONS:
                continue
            asked = latest.get((case.id, DECISIONS[kind][0].value))
            minutes = case.extension_minutes_requested if kind == "extension" else None
            rows.append(
                Waiting(
                    case=case,
                    kind=kind,
                    requested_at=asked.at if asked else None,
                    # The asker by display name (the username when the account has none).
                    requested_by=names.get(asked.actor_name or "", asked.actor_name)
                    if asked
                    else None,
                    reason=asked.note if asked else None,
                    extension=working_time(minutes, language) if minutes else None,
                )
            )
    return rows


@router.get("/cases/approvals", response_class=HTMLResponse)
def approvals_inbox(request: Request, principal: Leader, session: DbSession) -> HTMLResponse:
    language = request_language(request)
    ref = cat.reference(session)
    response = render(
        request,
        "cases/approvals.html",
        principal=principal,
        rows=_waiting(session, principal, language),
        category_names={
            code: pick(language, info.name, info.name_en) for code, info in ref.categories.items()
        },
        department_names={
            code: pick(language, name, name_en) for code, (name, name_en) in ref.departments.items()
        },
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/cases/approvals/count", response_class=HTMLResponse)
def approvals_count(principal: Leader, session: DbSession) -> HTMLResponse:
    """htmx: the number beside the navigation entry (empty when nothing waits)."""
    count = waiting_count(session, principal)
    return HTMLResponse(str(count) if count else "")


@router.post("/cases/{case_id}/extension", dependencies=[Depends(csrf_protect)])
def request_extension(
    case_id: CaseId,
    principal: SignedIn,
    session: DbSession,
    amount: Annotated[float, Form(gt=0, le=60)],
    unit: Annotated[str, Form(max_length=8)],
    note: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """A department asks for more time in working days or working hours (not minutes)."""
    if unit not in EXTENSION_UNITS:
        raise BadRequest("请选择工作日或工作小时", "Choose working days or working hours")
    workflow.transition(
        session,
        principal=principal,
        case_id=case_id,
        move=Move.REQUEST_EXTENSION,
        body=TransitionIn(note=note or None, minutes=round(amount * EXTENSION_UNITS[unit])),
        expected_version=int(version) if version.isdigit() else None,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post("/cases/approvals/{case_id}", dependencies=[Depends(csrf_protect)])
def decide(
    case_id: CaseId,
    principal: Leader,
    session: DbSession,
    kind: Annotated[str, Form(max_length=16)],
    decision: Annotated[str, Form(max_length=8)],
    note: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    if kind not in DECISIONS or decision not in ("approve", "reject"):
        raise BadRequest("未知的审批", "Unknown decision")
    _, approve, reject = DECISIONS[kind]
    workflow.transition(
        session,
        principal=principal,
        case_id=case_id,
        move=approve if decision == "approve" else reject,
        body=TransitionIn(note=note or None),
        expected_version=int(version) if version.isdigit() else None,
    )
    return RedirectResponse("/cases/approvals", status_code=303)
