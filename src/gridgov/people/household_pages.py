"""Household pages (户): detail with members, house and history; the edit form (the generic
record form, ``web/record_forms.py``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.kit.db import DbSession
from gridgov.people import service
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.people.schemas import HouseholdUpdate
from gridgov.web.i18n import N_
from gridgov.web.record_forms import RecordForm
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_roles(*READ_ROLES))]

RecordForm(
    singular="household",
    plural="households",
    fields=(
        ("address", N_("标准地址"), "text"),
        ("kind", N_("户类型"), ("registered", "resident")),
        ("status", N_("状态"), ("active", "dissolved")),
    ),
    changes=HouseholdUpdate,
    get=service.get_household,
    update=service.update_household,
    title=lambda household: household.household_no,
    writers=WRITE_ROLES,
).add_to(router)


@router.get("/people/households/{household_id}", response_class=HTMLResponse)
def household_detail(
    request: Request, session: DbSession, principal: Reader, household_id: int
) -> HTMLResponse:
    household = service.get_household(session, principal=principal, household_id=household_id)
    house = service.household_house(session, principal=principal, household=household)
    return render(
        request,
        "people/household.html",
        principal=principal,
        can_write=principal.role in WRITE_ROLES,
        page_title=household.household_no,
        household=household,
        house=house,
        members=service.household_members(session, principal=principal, household_id=household_id),
        history=service.household_history(session, principal=principal, household_id=household_id),
    )
