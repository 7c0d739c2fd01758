"""HTTP API of houses (``/api/v1/houses``): the generic record routes (``web/record_api.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.housing import service
from gridgov.housing.repository import HouseRepository
from gridgov.housing.schemas import (
    HouseCreate,
    HouseCreateRequest,
    HouseDetail,
    HouseRead,
    HouseUpdateRequest,
)
from gridgov.models.house import House, HouseUse
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.people.schemas import PersonRead
from gridgov.web.record_api import RecordApi

router = APIRouter(tags=["population"])
HouseSort = Literal["address", "-address", "grid_code", "changed_at", "-changed_at", "id", "-id"]


def house_filters(
    q: Annotated[str | None, Query(max_length=100, description="Part of the address")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    use: HouseUse | None = None,
    status: Literal["active", "demolished"] | None = None,
    sort: HouseSort = "address",
) -> dict[str, Any]:
    return {"q": q, "region_code": region, "use": use, "status": status, "sort": sort}


def _create(session: Session, *, principal: Principal, body: HouseCreateRequest) -> House:
    house_in = HouseCreate.model_validate(body.model_dump(exclude={"reason"}))
    return service.create_house(session, principal=principal, house_in=house_in, reason=body.reason)


def _detail(session: Session, principal: Principal, house: House) -> HouseDetail:
    residents = service.house_residents(session, principal=principal, house_id=house.id)
    return HouseDetail(
        **HouseRead.model_validate(house).model_dump(),
        residents=[PersonRead.model_validate(p) for p in residents],
    )


RecordApi(
    singular="house",
    plural="houses",
    read=HouseRead,
    create_body=HouseCreateRequest,
    update_body=HouseUpdateRequest,
    filters=house_filters,
    repository=HouseRepository,
    create=_create,
    get=service.get_house,
    update=service.update_house,
    history=service.house_history,
    readers=READ_ROLES,
    writers=WRITE_ROLES,
    detail=HouseDetail,
    show=_detail,
).add_to(router)
