"""The system administrator's page of scheduled jobs and their runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import page_roles
from gridgov.authz.policy import SYSTEM_ADMINS
from gridgov.authz.principal import Principal
from gridgov.jobs import service
from gridgov.kit.db import request_session
from gridgov.web.i18n import N_
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)


add_nav(N_("定时任务"), "/jobs", set(SYSTEM_ADMINS))


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*SYSTEM_ADMINS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return render(
        request,
        "jobs/list.html",
        page_title=None,
        principal=principal,
        jobs=service.overview(session),
        runs=service.recent_runs(session, job=job),
        selected=job,
        local=service.local_text,
    )
