"""Case pages: the clerk's intake (the report form of ``report_form.py``), the dispatcher's queue,
the department's inbox, the case page (timeline, map, photos, moves); the residents' report form
and tracking are in ``resident_pages.py``. They call the same services as ``/api/v1/cases``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_principal, page_roles
from gridgov.authz.policy import REPORTER_PHONE_ROLES
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import (
    deadlines,
    service,
    vocabulary,  # the words of the case codes
    workflow,
)
from gridgov.cases.centre_pages import router as centre_router
from gridgov.cases.photo_pages import router as photo_router
from gridgov.cases.queue_pages import router as queue_router
from gridgov.cases.report_form import ReportForm, reference, report_form, report_page, submit_report
from gridgov.cases.repository import CaseFilter
from gridgov.cases.resident_pages import router as resident_router
from gridgov.cases.schemas import TransitionIn
from gridgov.cases.states import RULES, Move, State
from gridgov.kit.db import request_session
from gridgov.kit.pagination import PageParams
from gridgov.web.forms import attempt, form_number
from gridgov.web.i18n import N_, request_language
from gridgov.web.names import account_names, grid_name, grid_names
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
# The shift leader's approvals inbox (its own file), before /cases/{case_id} would take its path.
router.include_router(queue_router)
router.include_router(centre_router)  # the command centre's list and saved views
router.include_router(photo_router)  # feedback and verification with photos
router.include_router(resident_router)  # /track: steps, photos, map, questionnaire


INTAKE_ROLES = (Role.INTAKE_CLERK, Role.DISPATCHER, Role.SHIFT_LEADER)
add_nav(N_("案件"), "/cases")
add_nav(N_("受理登记"), "/cases/new", set(INTAKE_ROLES))
add_nav(N_("派遣队列"), "/cases/queue", {Role.DISPATCHER, Role.SHIFT_LEADER, Role.INTAKE_CLERK})
add_nav(N_("部门待办"), "/cases/inbox", set(DEPARTMENT_ROLES))

DbSession = Annotated[Session, Depends(request_session, scope="function")]
SignedIn = Annotated[Principal, Depends(page_principal)]
Clerk = Annotated[Principal, Depends(page_roles(*INTAKE_ROLES))]
CallBack = Annotated[Principal, Depends(page_roles(*REPORTER_PHONE_ROLES))]


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    title_key: str,
    filters: CaseFilter,
    page: PageParams,
    base: str,
) -> HTMLResponse:
    rows, total = service.list_cases(session, principal=principal, filters=filters, page=page)
    return render(
        request,
        "cases/list.html",
        principal=principal,
        page_title=None,
        title_key=title_key,
        cases=rows,
        grid_names=grid_names(session, [c.grid_code for c in rows]),
        total=total,
        page=page,
        filters=filters,
        base=base,
        **reference(session, request),
    )


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    principal: SignedIn,
    session: DbSession,
    state: Annotated[list[str] | None, Query()] = None,
    category: Annotated[str | None, Query(max_length=16)] = None,
    grid: Annotated[str | None, Query(max_length=15)] = None,
    department: Annotated[str | None, Query(max_length=32)] = None,
    overdue: bool | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    filters = CaseFilter(
        state=[s for s in state or [] if s],
        category_code=category or None,
        grid_code=grid or None,
        department_code=department or None,
        overdue=overdue,
    )
    return _list_page(
        request,
        session,
        principal,
        title_key=N_("案件列表"),
        filters=filters,
        page=PageParams(limit=50, offset=offset),
        base="/cases",
    )


@router.get("/cases/queue", response_class=HTMLResponse)
def dispatcher_queue(
    request: Request,
    principal: Annotated[
        Principal, Depends(page_roles(Role.DISPATCHER, Role.SHIFT_LEADER, Role.INTAKE_CLERK))
    ],
    session: DbSession,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    """Reported cases to register and registered cases to dispatch, plus verified ones to close."""
    filters = CaseFilter(state=[State.REPORTED, State.REGISTERED, State.VERIFIED])
    return _list_page(
        request,
        session,
        principal,
        title_key=N_("派遣队列：待立案、待派遣、待结案"),
        filters=filters,
        page=PageParams(limit=50, offset=offset),
        base="/cases/queue",
    )


@router.get("/cases/inbox", response_class=HTMLResponse)
def department_inbox(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*DEPARTMENT_ROLES))],
    session: DbSession,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    filters = CaseFilter(state=[State.DISPATCHED, State.ACCEPTED])
    return _list_page(
        request,
        session,
        principal,
        title_key=N_("本部门待处置案件"),
        filters=filters,
        page=PageParams(limit=50, offset=offset),
        base="/cases/inbox",
    )


@router.get("/cases/new", response_class=HTMLResponse)
def intake_page(request: Request, principal: Clerk, session: DbSession) -> HTMLResponse:
    return report_page(request, session, principal=principal, values={"channel": "hotline"})


@router.post("/cases/new", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def intake_submit(
    request: Request,
    principal: Clerk,
    session: DbSession,
    form: Annotated[ReportForm, Depends(report_form)],
    channel: Annotated[str, Form(max_length=16)],
    priority: Annotated[str, Form(max_length=8)] = "normal",
) -> Response:
    form.channel, form.priority = channel, priority  # what only the clerk sets
    return submit_report(
        request, session, form, principal=principal, done=lambda case: f"/cases/{case.id}?created=1"
    )


@router.get("/cases/duplicates", response_class=HTMLResponse)
def duplicates_fragment(
    request: Request,
    principal: SignedIn,
    session: DbSession,
    category_code: Annotated[str, Query(max_length=16)] = "",
    lng: str = "",
    lat: str = "",
) -> HTMLResponse:
    """htmx fragment on the intake form: open cases of the same category nearby."""
    rows: list[Any] = []
    x, y = form_number(lng), form_number(lat)
    if category_code and x is not None and y is not None:
        with attempt(session) as tried:
            rows = service.duplicates(
                session, principal=principal, category_code=category_code, lng=x, lat=y
            )
        if tried.error:
            rows = []
    return render(request, "cases/_duplicates.html", principal=principal, rows=rows)


def _detail_page(
    request: Request,
    session: Session,
    principal: Principal,
    case_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    detail = service.get_detail(session, principal=principal, case_id=case_id)
    duplicates = []
    if detail.state in (State.REPORTED, State.REGISTERED) and detail.category_code and detail.lat:
        duplicates = [
            d
            for d in service.duplicates(
                session,
                principal=principal,
                category_code=detail.category_code,
                lng=detail.lng or 0,
                lat=detail.lat,
            )
            if d.id != detail.id
        ]
    category = cat.reference(session).categories.get(detail.category_code or "")
    language = request_language(request)
    return render(
        request,
        "cases/detail.html",
        status_code=status_code,
        principal=principal,
        page_title=detail.number,
        case=detail,
        error=error,
        duplicates=duplicates,
        rules=RULES,
        created=request.query_params.get("created") == "1",
        can_call_back=principal.role in REPORTER_PHONE_ROLES,
        # Dispatch: the handling times within the category's limit, the limit chosen.
        handle_choices=[
            (minutes, vocabulary.working_time(minutes, language))
            for minutes in deadlines.handle_choices(category)
        ],
        working_time=lambda minutes: vocabulary.working_time(minutes, language),
        # The grid by its name beside its national code (汉宜社区第1网格 420502001001001).
        grid_name=grid_name(session, detail.grid_code),
        # The timeline names each account by its display name, not its username.
        account_names=account_names(session, [e.actor_name for e in detail.events]),
        **reference(session, request),
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: int, principal: SignedIn, session: DbSession
) -> HTMLResponse:
    return _detail_page(request, session, principal, case_id)


@router.post(
    "/cases/{case_id}/move/{move}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def case_move(
    request: Request,
    case_id: int,
    move: Move,
    principal: SignedIn,
    session: DbSession,
    note: Annotated[str, Form(max_length=4000)] = "",
    department_code: Annotated[str, Form(max_length=32)] = "",
    handle_minutes: Annotated[str, Form(max_length=8)] = "",
    result: Annotated[str, Form(max_length=8)] = "",
    minutes: Annotated[str, Form(max_length=8)] = "",
    level: Annotated[str, Form(max_length=2)] = "",
    target_number: Annotated[str, Form(max_length=16)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    with attempt(session) as tried:
        target_id = None
        if target_number:
            target, _ = service.public_status(session, number=target_number)
            target_id = target.id
        body = TransitionIn(
            note=note or None,
            department_code=department_code or None,
            handle_minutes=int(handle_minutes) if handle_minutes.isdigit() else None,
            result=result if result in ("pass", "fail") else None,
            minutes=int(minutes) if minutes.isdigit() and int(minutes) > 0 else None,
            level=int(level) if level in ("1", "2") else None,
            target_case_id=target_id,
        )
        workflow.transition(
            session,
            principal=principal,
            case_id=case_id,
            move=move,
            body=body,
            expected_version=int(version) if version.isdigit() else None,
        )
    if tried.error:
        return _detail_page(
            request,
            session,
            principal,
            case_id,
            error=tried.message(request),
            status_code=tried.error.status_code,
        )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.post(
    "/cases/{case_id}/reporter-phone",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def reporter_phone_fragment(
    request: Request,
    case_id: int,
    principal: CallBack,
    session: DbSession,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """htmx: the reporter's full number in place of the mask (purpose in the trail)."""
    phone: str | None = None
    with attempt(session) as tried:
        phone = service.reporter_phone(
            session, principal=principal, case_id=case_id, purpose=purpose
        )
    text, css = (tried.message(request), "error") if tried.error else (phone or "—", "")
    return HTMLResponse(Markup('<span id="reporter-phone" class="{}">{}</span>').format(css, text))


# The centre's corrections before registering (category, place, address): their own file.
from gridgov.cases.amend_pages import router as amend_router  # noqa: E402

router.include_router(amend_router)
