"""The command centre's working list (issue 10): filters by state, channel, category,
department, due date, overdue and warning; sorting; the channel column; views saved per role."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.auth.csrf import csrf_protect, set_csrf_cookie
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import service
from gridgov.cases.intake import CHANNELS
from gridgov.cases.repository import CaseFilter, CaseRepository
from gridgov.cases.states import State
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models.case import Case
from gridgov.models.case_view import CaseSavedView
from gridgov.web.i18n import N_, pick, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render
from gridgov.workcal.calendar import CST

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
CENTRE = (Role.INTAKE_CLERK, Role.DISPATCHER, Role.SHIFT_LEADER)
Centre = Annotated[Principal, Depends(page_roles(*CENTRE))]
SORTS: dict[str, ColumnElement[Any]] = {
    "reported": Case.reported_at.desc(),
    "reported_asc": Case.reported_at.asc(),
    "due": Case.step_due_at.asc().nulls_last(),
    "priority": Case.priority.desc(),
}
PAGE = 50

add_nav(N_("指挥中心"), "/cases/centre", set(CENTRE))


@router.get("/cases/centre", response_class=HTMLResponse)
def centre_list(
    request: Request,
    principal: Centre,
    session: DbSession,
    state: Annotated[str, Query(max_length=16)] = "",
    channel: Annotated[str, Query(max_length=16)] = "",
    category: Annotated[str, Query(max_length=16)] = "",
    department: Annotated[str, Query(max_length=32)] = "",
    due: date | None = None,
    overdue: bool = False,
    warning: bool = False,
    sort: Annotated[str, Query(max_length=16)] = "reported",
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    language = request_language(request)
    now = utcnow()
    filters = CaseFilter(
        state=[state] if state in {s.value for s in State} else [],
        channel=channel if channel in CHANNELS else None,
        category_code=category or None,
        department_code=department or None,
        overdue=True if overdue else None,
        warning=warning or None,
        now=now,
    )
    stmt = CaseRepository(session).filtered(principal, filters)
    if due is not None:  # the step falls due that day (the city's day)
        start = datetime.combine(due, time(), CST)
        stmt = stmt.where(Case.step_due_at >= start, Case.step_due_at < start + timedelta(days=1))
    stmt = stmt.order_by(None).order_by(SORTS.get(sort, SORTS["reported"]), Case.id.desc())
    page = PageParams(limit=PAGE, offset=offset)
    rows, total = paginate(session, stmt, page)
    ref = cat.reference(session)
    views = session.scalars(
        select(CaseSavedView)
        .where(CaseSavedView.role == principal.role.value)
        .order_by(CaseSavedView.name)
    ).all()
    params = {k: v for k, v in request.query_params.items() if k != "offset"}
    response = render(
        request,
        "cases/centre.html",
        principal=principal,
        cases=[service.to_read(session, c, principal=principal, now=now) for c in rows],
        total=total,
        chosen={
            "state": state,
            "channel": channel,
            "category": category,
            "department": department,
            "due": due.isoformat() if due else "",
            "overdue": overdue,
            "warning": warning,
            "sort": sort if sort in SORTS else "reported",
        },
        states=[s.value for s in State],
        channels={code: pick(language, zh, en) for code, (zh, en) in CHANNELS.items()},
        categories={
            code: pick(language, info.name, info.name_en)
            for code, info in ref.categories.items()
            if info.selectable
        },
        departments={c: pick(language, n, e) for c, (n, e) in ref.departments.items()},
        sorts=list(SORTS),
        views=views,
        query=urlencode(params),
        next_offset=offset + PAGE if offset + PAGE < total else None,
    )
    set_csrf_cookie(request, response)
    return response


@router.post("/cases/centre/views", dependencies=[Depends(csrf_protect)])
def save_view(
    principal: Centre,
    session: DbSession,
    name: Annotated[str, Form(min_length=1, max_length=64)],
    query: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Save the current filters under a name for everyone of the caller's role."""
    name = name.strip()
    if not name or "\x00" in name or "\x00" in query:
        raise BadRequest("请填写视图名称", "Give the view a name")
    view = session.scalar(
        select(CaseSavedView).where(
            CaseSavedView.role == principal.role.value, CaseSavedView.name == name
        )
    )
    if view is None:
        view = CaseSavedView(role=principal.role.value, name=name, query=query)
        session.add(view)
    view.query, view.created_by, view.created_at = query, principal.user_id, utcnow()
    session.flush()
    trail.record(
        session,
        action="case_view.save",
        object_type="case_saved_view",
        object_id=view.id,
        principal=principal,
        after={"role": view.role, "name": name, "query": query},
    )
    return RedirectResponse(f"/cases/centre?{query}", status_code=303)
