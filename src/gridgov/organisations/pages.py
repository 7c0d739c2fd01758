"""Organisation pages (实有单位): detail with history, the edit form (the generic record form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.kit.db import DbSession
from gridgov.models.organisation import OrganisationType
from gridgov.organisations import service
from gridgov.organisations.schemas import OrganisationUpdate
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.web.i18n import N_
from gridgov.web.record_forms import RecordForm
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_roles(*READ_ROLES))]

RecordForm(
    singular="organisation",
    plural="organisations",
    fields=(
        ("name", N_("单位名称"), "text"),
        ("org_type", N_("单位类型"), tuple(t.value for t in OrganisationType)),
        ("industry", N_("行业"), "text"),
        ("address", N_("标准地址"), "text"),
        ("legal_representative", N_("法定代表人"), "text"),
        ("status", N_("状态"), ("active", "suspended", "closed")),
    ),
    changes=OrganisationUpdate,
    get=service.get_organisation,
    update=service.update_organisation,
    title=lambda organisation: organisation.name,
    writers=WRITE_ROLES,
    vocabularies={"org_type": "org_type"},
).add_to(router)


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
        can_write=principal.role in WRITE_ROLES,
        page_title=organisation.name,
        organisation=organisation,
        history=service.organisation_history(
            session, principal=principal, organisation_id=organisation_id
        ),
    )
