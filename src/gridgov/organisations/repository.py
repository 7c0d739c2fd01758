"""Every query on organisations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from gridgov.authz.policy import Action, first_row, readable_statement
from gridgov.authz.principal import Principal
from gridgov.kit.repository import Repository
from gridgov.models.organisation import Organisation
from gridgov.people.repository import region_prefix, sort_clause

ORGANISATION_SORTS = {
    "name": Organisation.name,
    "credit_code": Organisation.credit_code,
    "grid_code": Organisation.grid_code,
    "changed_at": Organisation.changed_at,
    "id": Organisation.id,
}


ORGANISATION = "organisation"


class OrganisationRepository(Repository[Organisation]):
    model = Organisation

    def readable_statement(self, principal: Principal, action: Action = "read") -> Select[Any]:
        return readable_statement(principal, Organisation, action, category=ORGANISATION)

    def search(
        self,
        principal: Principal,
        *,
        q: str | None = None,
        region_code: str | None = None,
        industry: str | None = None,
        org_type: str | None = None,
        status: str | None = None,
        sort: str = "name",
    ) -> Select[Any]:
        stmt = self.readable_statement(principal)
        if q:
            q = q.strip()
            if len(q) == 18 and q.isalnum():
                stmt = stmt.where(Organisation.credit_code == q.upper())
            else:
                stmt = stmt.where(Organisation.name.contains(q, autoescape=True))
        if region_code:
            stmt = stmt.where(region_prefix(Organisation.grid_code, region_code))
        for column, value in (
            (Organisation.industry, industry),
            (Organisation.org_type, org_type),
            (Organisation.status, status),
        ):
            if value:
                stmt = stmt.where(column == value)
        return stmt.order_by(*sort_clause(ORGANISATION_SORTS, sort), Organisation.id)

    def get_readable(
        self,
        principal: Principal,
        organisation_id: int,
        *,
        action: Action = "read",
        for_update: bool = False,
    ) -> Organisation | None:
        statement = self.readable_statement(principal, action).where(
            Organisation.id == organisation_id
        )
        return first_row(self.session, statement, for_update=for_update)

    def by_credit_code(self, credit_code: str) -> Organisation | None:
        return self.session.scalar(
            select(Organisation).where(Organisation.credit_code == credit_code)
        )
