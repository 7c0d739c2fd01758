"""The supervisors' page of field work: every worker's patrol time of a day in the caller's area,
one worker's tracks of that day on a map over the grid, and the records kept for review."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.patrols import service as patrols
from gridgov.fieldwork.patrols import tracks
from gridgov.fieldwork.sync import conflicts
from gridgov.fieldwork.sync.routes import SUPERVISOR_ROLES
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session
from gridgov.web.forms import attempt
from gridgov.web.i18n import N_, gettext, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(request_session, scope="function")]
Supervisor = Annotated[Principal, Depends(page_roles(*SUPERVISOR_ROLES))]

add_nav(N_("网格员巡查"), "/field/supervise", set(SUPERVISOR_ROLES))


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    day: date | None,
    worker: int | None,
    **context: Any,
) -> HTMLResponse:
    chosen = day or patrols.local_day(utcnow())
    track = None
    if worker is not None and principal.role not in tracks.TRACK_ROLES:
        # The page stays theirs (duty table, conflicts); the tracks never were.
        context.setdefault("error", tracks.not_yours().message_for(request_language(request)))
    elif worker is not None:
        with attempt(session) as tried:
            track = tracks.worker_day(session, principal=principal, user_id=worker, day=chosen)
        if tried.error:
            context.setdefault("error", tried.message(request))
    return render(
        request,
        "field/supervise.html",
        page_title=gettext(request_language(request), "网格员巡查"),
        principal=principal,
        day=chosen,
        worker=worker,
        workers=(
            tracks.workers(session, principal=principal)
            if principal.role in tracks.TRACK_ROLES
            else []
        ),
        track=track,
        zone=patrols.LOCAL_ZONE,
        duty=patrols.day_summary(session, principal=principal, day=chosen),
        conflicts=conflicts.list_readable(session, principal=principal, state="open"),
        # a conflict names its module by code: shown by its title
        module_titles={m.code: (m.title, m.title_en) for m in registry.latest_modules(session)},
        **context,
    )


@router.get("/field/supervise", response_class=HTMLResponse)
def supervise_page(
    request: Request,
    principal: Supervisor,
    session: DB,
    day: date | None = None,
    worker: int | None = None,
) -> HTMLResponse:
    """The duty table of ``day``; with ``worker`` also that worker's tracks on the map."""
    return _page(request, session, principal, day=day, worker=worker)


@router.post(
    "/field/supervise/conflicts/{conflict_id}",
    dependencies=[Depends(csrf_protect)],
    response_class=HTMLResponse,
)
def resolve_conflict_page(
    conflict_id: int,
    request: Request,
    principal: Supervisor,
    session: DB,
    resolution: Annotated[str, Form(pattern="^(accept|discard)$")],
) -> Response:
    with attempt(session) as tried:
        conflicts.resolve(
            session, principal=principal, conflict_id=conflict_id, resolution=resolution
        )
    if tried.error:
        # Nothing changed: show why (e.g. the resident is registered outside the caller's area).
        error = tried.message(request)
        return _page(request, session, principal, day=None, worker=None, error=error)
    return RedirectResponse("/field/supervise", status_code=303)


# The submissions browser (table, map, filters, one record, CSV/Excel): its own file.
from gridgov.fieldwork.submissions_pages import router as submissions_router  # noqa: E402

router.include_router(submissions_router)
