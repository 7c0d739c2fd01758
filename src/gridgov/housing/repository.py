"""Every query on houses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import Action, first_row, readable_statement
from gridgov.authz.principal import Principal
from gridgov.models.house import House
from gridgov.people.repository import chunks, in_values, region_prefix, sort_clause

HOUSE_SORTS = {
    "address": House.address,
    "grid_code": House.grid_code,
    "changed_at": House.changed_at,
    "id": House.id,
}


HOUSE = "house"


def readable_houses(principal: Principal, action: Action = "read") -> Select[Any]:
    return readable_statement(principal, House, action, category=HOUSE)


def search_houses(
    principal: Principal,
    *,
    q: str | None = None,
    region_code: str | None = None,
    use: str | None = None,
    status: str | None = None,
    sort: str = "address",
) -> Select[Any]:
    stmt = readable_houses(principal)
    if q:
        stmt = stmt.where(House.address.contains(q.strip(), autoescape=True))
    if region_code:
        stmt = stmt.where(region_prefix(House.grid_code, region_code))
    if use:
        stmt = stmt.where(House.use == use)
    if status:
        stmt = stmt.where(House.status == status)
    return stmt.order_by(*sort_clause(HOUSE_SORTS, sort), House.id)


def get_house(
    session: Session,
    principal: Principal,
    house_id: int,
    *,
    action: Action = "read",
    for_update: bool = False,
) -> House | None:
    statement = readable_houses(principal, action).where(House.id == house_id)
    return first_row(session, statement, for_update=for_update)


def house_by_address(session: Session, address: str) -> House | None:
    return session.scalar(select(House).where(House.address == address))


def houses_by_address(session: Session, addresses: Sequence[str]) -> dict[str, House]:
    found: dict[str, House] = {}
    for chunk in chunks(session, addresses):
        for house in session.scalars(select(House).where(in_values(session, House.address, chunk))):
            found[house.address] = house
    return found
