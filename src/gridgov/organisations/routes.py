"""HTTP API of organisations (``/api/v1/organisations``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.pagination import Page, PageParams, page_params
from gridgov.models.organisation import OrganisationType
from gridgov.organisations import service
from gridgov.organisations.schemas import (
    OrganisationCreateRequest,
    OrganisationRead,
    OrganisationUpdateRequest,
)
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.people.routes import ERRORS
from gridgov.people.schemas import VersionRead

router = APIRouter(tags=["population"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
OrganisationSort = Literal[
    "name", "-name", "credit_code", "grid_code", "changed_at", "-changed_at", "id"
]


@router.get("/organisations", response_model=Page[OrganisationRead], responses=ERRORS)
def list_organisations(
    session: SessionDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=100, description="Name part or credit code")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    industry: Annotated[str | None, Query(max_length=32)] = None,
    org_type: OrganisationType | None = None,
    status: Literal["active", "suspended", "closed"] | None = None,
    sort: OrganisationSort = "name",
) -> Page[OrganisationRead]:
    rows, total = service.list_organisations(
        session,
        principal=principal,
        q=q,
        region_code=region,
        industry=industry,
        org_type=org_type,
        status=status,
        sort=sort,
        page=page,
    )
    return Page.of(rows, total, page, OrganisationRead)


@router.post("/organisations", response_model=OrganisationRead, status_code=201, responses=ERRORS)
def create_organisation(
    body: OrganisationCreateRequest, session: SessionDep, principal: Writer
) -> Any:
    return service.create_organisation(
        session, principal=principal, organisation_in=body, reason=body.reason
    )


@router.get("/organisations/{organisation_id}", response_model=OrganisationRead, responses=ERRORS)
def get_organisation(organisation_id: int, session: SessionDep, principal: Reader) -> Any:
    return service.get_organisation(session, principal=principal, organisation_id=organisation_id)


@router.patch("/organisations/{organisation_id}", response_model=OrganisationRead, responses=ERRORS)
def update_organisation(
    organisation_id: int, body: OrganisationUpdateRequest, session: SessionDep, principal: Writer
) -> Any:
    changes = body.changes()
    return service.update_organisation(
        session,
        principal=principal,
        organisation_id=organisation_id,
        changes=changes,
        reason=body.reason,
        base_version=body.base_version,
    )


@router.get(
    "/organisations/{organisation_id}/history",
    response_model=list[VersionRead],
    responses=ERRORS,
)
def organisation_history(organisation_id: int, session: SessionDep, principal: Reader) -> Any:
    return service.organisation_history(
        session, principal=principal, organisation_id=organisation_id
    )
