"""The residents' pages: ``/report`` (the shared report form, ``report_form.py``) and what a
resident sees with the tracking number (issue 10): each step once (rework shown), the
department handling it, the photos and the place on the map; after closure FixMyStreet's
questionnaire — is it fixed, how satisfied — and reopening within ``reopen_days``. The answers
are stored (``case_questionnaires``) for evaluation to count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.auth.csrf import csrf_protect, set_csrf_cookie
from gridgov.authz.principal import resident_principal
from gridgov.cases import categories as cat
from gridgov.cases import intake
from gridgov.cases.report_form import ReportForm, report_form, report_page, submit_report
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.states import Move, State
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest, Conflict, NotFound
from gridgov.media import service as media_service
from gridgov.models.case import Case, CaseEvent
from gridgov.models.case_questionnaire import CaseQuestionnaire
from gridgov.models.media import Media
from gridgov.web.i18n import pick, request_language
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Number = Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9\-]+$")]
# Steps a resident follows besides the public ones: the department taking it and rework.
RESIDENT_MOVES = (Move.ACCEPT.value, Move.REWORK.value, Move.VERIFY.value)
SATISFACTION = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Step:
    at: datetime
    move: str
    state_to: str
    department: str | None


def _case(session: Session, number: str) -> Case | None:
    return CaseRepository(session).by_number(number.strip().upper())


def _steps(session: Session, case: Case, departments: dict[str, str]) -> list[Step]:
    """The report, then each public step and each rework once (a repeated line — same move to
    the same state right after itself — is shown once)."""
    events = session.scalars(
        select(CaseEvent)
        .where(
            CaseEvent.case_id == case.id,
            or_(CaseEvent.public.is_(True), CaseEvent.move.in_(RESIDENT_MOVES)),
        )
        .order_by(CaseEvent.id)
    )
    steps = [Step(case.reported_at, "report", State.REPORTED.value, None)]
    for event in events:
        if (event.move, event.state_to) == (steps[-1].move, steps[-1].state_to):
            continue
        department = departments.get(event.department_code or "") if event.department_code else None
        steps.append(Step(event.at, event.move, event.state_to, department))
    return steps


def _reopen_until(case: Case, days: int) -> datetime | None:
    if case.state != State.CLOSED or case.closed_at is None:
        return None
    closed = (
        case.closed_at if case.closed_at.tzinfo else case.closed_at.replace(tzinfo=utcnow().tzinfo)
    )
    return closed + timedelta(days=days)


@router.get("/report", response_class=HTMLResponse)
def public_report_page(request: Request, session: DbSession) -> HTMLResponse:
    return report_page(request, session, principal=resident_principal("web"), values={})


@router.post("/report", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def public_report_submit(
    request: Request, session: DbSession, form: Annotated[ReportForm, Depends(report_form)]
) -> Response:
    return submit_report(
        request,
        session,
        form,
        principal=resident_principal("web"),
        done=lambda case: f"/track?number={case.number}&new=1",
    )


@router.get("/track", response_class=HTMLResponse)
def track_page(
    request: Request, session: DbSession, number: Annotated[str, Query(max_length=16)] = ""
) -> HTMLResponse:
    settings = request.app.state.settings
    language = request_language(request)
    case = _case(session, number) if number else None
    context: dict[str, Any] = {}
    if case is not None:
        ref = cat.reference(session)
        departments = {c: pick(language, n, e) for c, (n, e) in ref.departments.items()}
        category = ref.categories.get(case.category_code or "")
        until = _reopen_until(case, settings.reopen_days)
        context = {
            "steps": _steps(session, case, departments),
            "department": departments.get(case.department_code or "")
            if case.dispatched_at
            else None,
            "category": pick(language, category.name, category.name_en) if category else None,
            "photos": list(
                session.scalars(select(Media.id).where(Media.case_id == case.id).order_by(Media.id))
            ),
            "answer": session.scalar(
                select(CaseQuestionnaire).where(CaseQuestionnaire.case_id == case.id)
            ),
            # Free text reaches the public masked (phone and ID numbers), as in the API.
            "status_note": crypto.mask_free_text(case.status_note) if case.status_note else None,
            "may_reopen": until is not None and utcnow() <= until,
            "reopen_days": settings.reopen_days,
            "satisfaction": SATISFACTION,
        }
    response = render(
        request,
        "cases/track.html",
        case=case,
        number=number,
        missing=bool(number) and case is None,
        new=request.query_params.get("new") == "1",
        status_code=404 if number and case is None else 200,
        **context,
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/track/{number}/photos/{media_id}")
def track_photo(
    request: Request, number: Number, media_id: Annotated[int, Path(ge=1)], session: DbSession
) -> Response:
    """A photo of the case, for whoever holds its tracking number."""
    case = _case(session, number)
    media = (
        session.scalar(select(Media).where(Media.id == media_id, Media.case_id == case.id))
        if case
        else None
    )
    if media is None:
        raise NotFound("照片不存在", "No such photo")
    content = media_service.read_bytes(media, settings=request.app.state.settings)
    return Response(content, media_type=media.content_type)


@router.post("/track/{number}/questionnaire", dependencies=[Depends(csrf_protect)])
def answer_questionnaire(
    request: Request,
    number: Number,
    session: DbSession,
    fixed: Annotated[str, Form(max_length=3)],
    satisfaction: Annotated[int, Form(ge=1, le=5)],
    comment: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    settings = request.app.state.settings
    case = _case(session, number)
    if case is None:
        raise NotFound("未找到该受理编号", "No case with this tracking number")
    if case.state != State.CLOSED:
        raise Conflict("案件结案后才能评价", "The case can be rated once it is closed")
    if session.scalar(select(CaseQuestionnaire.id).where(CaseQuestionnaire.case_id == case.id)):
        raise Conflict("已评价过该案件", "This case has already been rated")
    if fixed not in ("yes", "no"):
        raise BadRequest("请选择是否已解决", "Say whether it is fixed")
    text = intake.clean_text(comment, field="comment", limit=2000, required=False) or None
    answer = CaseQuestionnaire(
        case_id=case.id,
        answered_at=utcnow(),
        fixed=fixed == "yes",
        satisfaction=satisfaction,
        comment=text,
    )
    until = _reopen_until(case, settings.reopen_days)
    if not answer.fixed and until is not None and utcnow() <= until:
        # Reopened as a follow-up case at the same place, so the loop starts again.
        follow_up = intake.create_case(
            session,
            principal=resident_principal("web"),
            data=CaseCreate(
                channel="web",
                category_code=case.category_code,
                description=f"群众反映未解决（原受理编号 {case.number}）：{text or case.description}",
                lng=case.lng,
                lat=case.lat,
                address=case.address,
            ),
            channel="web",
            photos=[],
            settings=settings,
        ).case
        answer.reopened_number = follow_up.number
    session.add(answer)
    session.flush()
    trail.record(
        session,
        action="case.questionnaire",
        object_type="case",
        object_id=case.id,
        after={
            "fixed": answer.fixed,
            "satisfaction": answer.satisfaction,
            "reopened_number": answer.reopened_number,
        },
    )
    return RedirectResponse(f"/track?number={case.number}", status_code=303)
