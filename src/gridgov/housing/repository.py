"""Every query on houses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from gridgov.authz.policy import Action, first_row, readable_statement
from gridgov.authz.principal import Principal
from gridgov.kit.repository import Repository
from gridgov.models.house import House
from gridgov.people.repository import chunks, in_values, region_prefix, sort_clause

HOUSE_SORTS = {
    "address": House.address,
    "grid_code": House.grid_code,
    "changed_at": House.changed_at,
    "id": House.id,
}


HOUSE = "house"


class HouseRepository(Repository[House]):
    model = House

    def readable_statement(self, principal: Principal, action: Action = "read") -> Select[Any]:
        return readable_statement(principal, House, action, category=HOUSE)

    def search(
        self,
        principal: Principal,
        *,
        q: str | None = None,
        region_code: str | None = None,
        use: str | None = None,
        status: str | None = None,
        sort: str = "address",
    ) -> Select[Any]:
        stmt = self.readable_statement(principal)
        if q:
            stmt = stmt.where(House.address.contains(q.strip(), autoescape=True))
        if region_code:
            stmt = stmt.where(region_prefix(House.grid_code, region_code))
        if use:
            stmt = stmt.where(House.use == use)
        if status:
            stmt = stmt.where(House.status == status)
        return stmt.order_by(*sort_clause(HOUSE_SORTS, sort), House.id)

    def get_readable(
        self,
        principal: Principal,
        house_id: int,
        *,
        action: Action = "read",
        for_update: bool = False,
    ) -> House | None:
        statement = self.readable_statement(principal, action).where(House.id == house_id)
        return first_row(self.session, statement, for_update=for_update)

    def by_address(self, address: str) -> House | None:
        return self.session.scalar(select(House).where(House.address == address))

    def by_addresses(self, addresses: Sequence[str]) -> dict[str, House]:
        found: dict[str, House] = {}
        for chunk in chunks(self.session, addresses):
            stmt = select(House).where(in_values(self.session, House.address, chunk))
            for house in self.session.scalars(stmt):
                found[house.address] = house
        return found
