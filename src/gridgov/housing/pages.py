"""House pages (实有房屋): detail with residents and history, the edit form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.housing import service
from gridgov.housing.schemas import HouseUpdate
from gridgov.kit.db import DbSession
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.web.i18n import N_
from gridgov.web.record_forms import RecordForm
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_roles(*READ_ROLES))]

RecordForm(
    singular="house",
    plural="houses",
    fields=(
        ("address", N_("标准地址"), "text"),
        ("use", N_("用途"), ("residence", "rented", "shop", "office", "vacant", "other")),
        ("owner_name", N_("产权人"), "text"),
        ("building_floors", N_("楼层/总层数"), "number"),
        ("status", N_("状态"), ("active", "demolished")),
    ),
    changes=HouseUpdate,
    get=service.get_house,
    update=service.update_house,
    title=lambda house: house.address,
    writers=WRITE_ROLES,
).add_to(router)


@router.get("/people/houses/{house_id}", response_class=HTMLResponse)
def house_detail(
    request: Request, session: DbSession, principal: Reader, house_id: int
) -> HTMLResponse:
    house = service.get_house(session, principal=principal, house_id=house_id)
    return render(
        request,
        "people/house.html",
        principal=principal,
        can_write=principal.role in WRITE_ROLES,
        page_title=house.address,
        house=house,
        residents=service.house_residents(session, principal=principal, house_id=house_id),
        history=service.house_history(session, principal=principal, house_id=house_id),
    )
