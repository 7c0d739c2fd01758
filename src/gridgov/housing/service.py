"""Behaviour of houses: create and versioned change (demolition is a state, not a delete)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.housing.repository import HouseRepository
from gridgov.housing.schemas import HouseCreate, HouseUpdate
from gridgov.kit.errors import Conflict, NotFound
from gridgov.models.house import House
from gridgov.models.person import Person
from gridgov.people.common import change_source, check_grid
from gridgov.people.repository import PersonRepository
from gridgov.people.saving import record_created, save_changes
from gridgov.people.schemas import VersionRead
from gridgov.people.versioning import history, stamp

HOUSE = "house"


def create_house(
    session: Session,
    *,
    principal: Principal,
    house_in: HouseCreate,
    source: str | None = None,
    reason: str | None = None,
) -> House:
    check_grid(session, principal, house_in.grid_code)
    if HouseRepository(session).by_address(house_in.address) is not None:
        raise Conflict(
            f"标准地址“{house_in.address}”已登记", f"The address {house_in.address} exists"
        )
    house = House(**house_in.model_dump(), status="active")
    stamp(house, principal=principal, source=change_source(principal, source), reason=reason)
    session.add(house)
    session.flush()
    record_created(session, house, kind=HOUSE, principal=principal)
    return house


def get_house(session: Session, *, principal: Principal, house_id: int) -> House:
    house = HouseRepository(session).get_readable(principal, house_id)
    if house is None:
        raise NotFound(f"房屋 {house_id} 不存在", f"No house {house_id}")
    return house


def update_house(
    session: Session,
    *,
    principal: Principal,
    house_id: int,
    changes: HouseUpdate,
    source: str | None = None,
    reason: str | None = None,
    base_version: int | None = None,
) -> House:
    house = HouseRepository(session).get_readable(
        principal, house_id, action="change", for_update=True
    )
    if house is None:
        raise NotFound(f"房屋 {house_id} 不存在", f"No house {house_id}")
    values = changes.model_dump(include=changes.model_fields_set)
    for key in ("address", "grid_code", "use", "status"):
        if key in values and values[key] is None:
            del values[key]
    if "grid_code" in values and values["grid_code"] != house.grid_code:
        check_grid(session, principal, values["grid_code"])
    if "address" in values and values["address"] != house.address:
        other = HouseRepository(session).by_address(values["address"])
        if other is not None:
            raise Conflict(f"标准地址“{values['address']}”已登记", "The address exists")
    save_changes(
        session,
        house,
        kind=HOUSE,
        values=values,
        principal=principal,
        source=source,
        reason=reason,
        base_version=base_version,
    )
    return house


def house_residents(session: Session, *, principal: Principal, house_id: int) -> list[Person]:
    house = get_house(session, principal=principal, house_id=house_id)
    return PersonRepository(session).house_residents(principal, house.id)


def house_history(session: Session, *, principal: Principal, house_id: int) -> list[VersionRead]:
    house = get_house(session, principal=principal, house_id=house_id)
    return history(session, house, record_type=HOUSE)
