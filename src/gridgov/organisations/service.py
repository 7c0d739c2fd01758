"""Behaviour of organisations: create and versioned change (closing is a state, not a delete)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.errors import Conflict, NotFound
from gridgov.models.organisation import Organisation
from gridgov.organisations.repository import OrganisationRepository
from gridgov.organisations.schemas import OrganisationCreate, OrganisationUpdate
from gridgov.people.common import change_source, check_grid, check_links
from gridgov.people.saving import record_created, save_changes
from gridgov.people.schemas import VersionRead
from gridgov.people.versioning import history, stamp

ORGANISATION = "organisation"


def _licences(values: list[Any] | None) -> list[dict[str, Any]]:
    out = []
    for licence in values or []:
        item = dict(licence)
        if item.get("valid_until") is not None:
            item["valid_until"] = item["valid_until"].isoformat()
        out.append(item)
    return out


def create_organisation(
    session: Session,
    *,
    principal: Principal,
    organisation_in: OrganisationCreate,
    source: str | None = None,
    reason: str | None = None,
) -> Organisation:
    check_grid(session, principal, organisation_in.grid_code)
    check_links(session, principal, None, organisation_in.house_id)
    if OrganisationRepository(session).by_credit_code(organisation_in.credit_code) is not None:
        raise Conflict(
            f"统一社会信用代码 {organisation_in.credit_code} 已登记",
            f"Credit code {organisation_in.credit_code} exists",
        )
    data = organisation_in.model_dump(include=set(OrganisationCreate.model_fields) - {"licences"})
    organisation = Organisation(
        **data, licences=_licences(organisation_in.model_dump()["licences"]), status="active"
    )
    stamp(organisation, principal=principal, source=change_source(principal, source), reason=reason)
    session.add(organisation)
    session.flush()
    record_created(session, organisation, kind=ORGANISATION, principal=principal)
    return organisation


def get_organisation(
    session: Session, *, principal: Principal, organisation_id: int
) -> Organisation:
    organisation = OrganisationRepository(session).get_readable(principal, organisation_id)
    if organisation is None:
        raise NotFound(f"单位 {organisation_id} 不存在", f"No organisation {organisation_id}")
    return organisation


def update_organisation(
    session: Session,
    *,
    principal: Principal,
    organisation_id: int,
    changes: OrganisationUpdate,
    source: str | None = None,
    reason: str | None = None,
    base_version: int | None = None,
) -> Organisation:
    organisation = OrganisationRepository(session).get_readable(
        principal, organisation_id, action="change", for_update=True
    )
    if organisation is None:
        raise NotFound(f"单位 {organisation_id} 不存在", f"No organisation {organisation_id}")
    values = changes.model_dump(include=changes.model_fields_set)
    for key in ("name", "org_type", "grid_code", "status", "licences"):
        if key in values and values[key] is None:
            del values[key]
    if "licences" in values:
        values["licences"] = _licences(values["licences"])
    if "grid_code" in values and values["grid_code"] != organisation.grid_code:
        check_grid(session, principal, values["grid_code"])
    if values.get("house_id") is not None:
        check_links(session, principal, None, values["house_id"])
    save_changes(
        session,
        organisation,
        kind=ORGANISATION,
        values=values,
        principal=principal,
        source=source,
        reason=reason,
        base_version=base_version,
    )
    return organisation


def organisation_history(
    session: Session, *, principal: Principal, organisation_id: int
) -> list[VersionRead]:
    organisation = get_organisation(session, principal=principal, organisation_id=organisation_id)
    return history(session, organisation, record_type=ORGANISATION)
