"""HTTP API of houses (``/api/v1/houses``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.principal import Principal
from gridgov.housing import service
from gridgov.housing.schemas import HouseCreate, HouseCreateRequest, HouseRead, HouseUpdateRequest
from gridgov.kit.db import request_session
from gridgov.kit.pagination import Page, PageParams, page_params
from gridgov.models.house import HouseUse
from gridgov.people.auth import READ_ROLES, WRITE_ROLES
from gridgov.people.routes import ERRORS
from gridgov.people.schemas import PersonRead, VersionRead

router = APIRouter(tags=["population"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
HouseSort = Literal["address", "-address", "grid_code", "changed_at", "-changed_at", "id", "-id"]


class HouseDetail(HouseRead):
    residents: list[PersonRead] = []


@router.get("/houses", response_model=Page[HouseRead], responses=ERRORS)
def list_houses(
    session: SessionDep,
    principal: Reader,
    page: Annotated[PageParams, Depends(page_params)],
    q: Annotated[str | None, Query(max_length=100, description="Part of the address")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    use: HouseUse | None = None,
    status: Literal["active", "demolished"] | None = None,
    sort: HouseSort = "address",
) -> Page[HouseRead]:
    rows, total = service.list_houses(
        session,
        principal=principal,
        q=q,
        region_code=region,
        use=use,
        status=status,
        sort=sort,
        page=page,
    )
    return Page.of(rows, total, page, HouseRead)


@router.post("/houses", response_model=HouseRead, status_code=201, responses=ERRORS)
def create_house(body: HouseCreateRequest, session: SessionDep, principal: Writer) -> Any:
    house_in = HouseCreate.model_validate(body.model_dump(exclude={"reason"}))
    return service.create_house(session, principal=principal, house_in=house_in, reason=body.reason)


@router.get("/houses/{house_id}", response_model=HouseDetail, responses=ERRORS)
def get_house(house_id: int, session: SessionDep, principal: Reader) -> HouseDetail:
    house = service.get_house(session, principal=principal, house_id=house_id)
    residents = service.house_residents(session, principal=principal, house_id=house_id)
    return HouseDetail(
        **HouseRead.model_validate(house).model_dump(),
        residents=[PersonRead.model_validate(p) for p in residents],
    )


@router.patch("/houses/{house_id}", response_model=HouseRead, responses=ERRORS)
def update_house(
    house_id: int, body: HouseUpdateRequest, session: SessionDep, principal: Writer
) -> Any:
    changes = body.changes()
    return service.update_house(
        session,
        principal=principal,
        house_id=house_id,
        changes=changes,
        reason=body.reason,
        base_version=body.base_version,
    )


@router.get("/houses/{house_id}/history", response_model=list[VersionRead], responses=ERRORS)
def house_history(house_id: int, session: SessionDep, principal: Reader) -> Any:
    return service.house_history(session, principal=principal, house_id=house_id)
