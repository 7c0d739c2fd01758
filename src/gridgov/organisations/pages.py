"""Organisation pages (实有单位): detail with history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.kit.db import DbSession
from gridgov.organisations import service
from gridgov.people.auth import READ_ROLES
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_roles(*READ_ROLES))]


@router.get("/people/organisations/{organisation_id}", response_class=HTMLResponse)
def organisation_detail(
    request: Request, session: DbSession, principal: Reader, organisation_id: int
) -> HTMLResponse:
    organisation = service.get_organisation(
        session, principal=principal, organisation_id=organisation_id
    )
    return render(
        request,
        "people/organisation.html",
        principal=principal,
        page_title=organisation.name,
        organisation=organisation,
        history=service.organisation_history(
            session, principal=principal, organisation_id=organisation_id
        ),
    )
