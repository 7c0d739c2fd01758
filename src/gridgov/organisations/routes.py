"""HTTP API of organisations (``/api/v1/organisations``): the generic record routes
(``web/record_api.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.models.organisation import Organisation, OrganisationType
from gridgov.organisations import service
from gridgov.organisations.repository import OrganisationRepository
from gridgov.organisations.schemas import (
    OrganisationCreateRequest,
    OrganisationRead,
    OrganisationUpdateRequest,
)
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.web.record_api import RecordApi

router = APIRouter(tags=["population"])
OrganisationSort = Literal[
    "name", "-name", "credit_code", "grid_code", "changed_at", "-changed_at", "id"
]


def organisation_filters(
    q: Annotated[str | None, Query(max_length=100, description="Name part or credit code")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    industry: Annotated[str | None, Query(max_length=32)] = None,
    org_type: OrganisationType | None = None,
    status: Literal["active", "suspended", "closed"] | None = None,
    sort: OrganisationSort = "name",
) -> dict[str, Any]:
    return {
        "q": q,
        "region_code": region,
        "industry": industry,
        "org_type": org_type,
        "status": status,
        "sort": sort,
    }


def _create(
    session: Session, *, principal: Principal, body: OrganisationCreateRequest
) -> Organisation:
    return service.create_organisation(
        session, principal=principal, organisation_in=body, reason=body.reason
    )


RecordApi(
    singular="organisation",
    plural="organisations",
    read=OrganisationRead,
    create_body=OrganisationCreateRequest,
    update_body=OrganisationUpdateRequest,
    filters=organisation_filters,
    repository=OrganisationRepository,
    create=_create,
    get=service.get_organisation,
    update=service.update_organisation,
    history=service.organisation_history,
    readers=READ_ROLES,
    writers=WRITE_ROLES,
).add_to(router)
