"""Access rules of the population base API: persons, households, houses, organisations
(see tests/authz/matrix.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gridgov.authz.principal import Role, system_principal
from gridgov.housing.schemas import HouseCreate
from gridgov.housing.service import create_house
from gridgov.organisations.schemas import OrganisationCreate
from gridgov.organisations.service import create_organisation
from gridgov.people import service
from gridgov.people.identifiers import make_credit_code, make_resident_id
from gridgov.people.schemas import HouseholdCreate, PersonCreate
from tests.authz.expected import BASE_IMPORTERS, BASE_READERS, BASE_WRITERS, FULL_VIEWERS
from tests.authz.matrix import Ctx, Rule, Scoped, role_set

SYSTEM = system_principal("test")

READERS = role_set(*BASE_READERS)
WRITERS = role_set(*BASE_WRITERS)
FULL_VIEWERS = role_set(*FULL_VIEWERS)
HOME_GRID = "420597001001001"
_sequence = iter(range(1, 999, 2))


def _grid(ctx: Ctx, inside: bool) -> str:
    return ctx.city.home_grid.code if inside else ctx.city.far_grid.code


def _person(ctx: Ctx, inside: bool) -> dict[str, Any]:
    person = service.create_person(
        ctx.db,
        principal=SYSTEM,
        person_in=PersonCreate(
            id_number=make_resident_id("420597", date(1980, 1, 1), next(_sequence)),
            name="测试人",
            grid_code=_grid(ctx, inside),
        ),
    )
    ctx.db.commit()
    return {"person_id": str(person.id)}


def _household(ctx: Ctx, inside: bool) -> dict[str, Any]:
    household = service.create_household(
        ctx.db, principal=SYSTEM, household_in=HouseholdCreate(grid_code=_grid(ctx, inside))
    )
    ctx.db.commit()
    return {"household_id": str(household.id)}


def _house(ctx: Ctx, inside: bool) -> dict[str, Any]:
    house = create_house(
        ctx.db,
        principal=SYSTEM,
        house_in=HouseCreate(
            address=f"宜昌市测试路{next(_sequence)}号", grid_code=_grid(ctx, inside)
        ),
    )
    ctx.db.commit()
    return {"house_id": str(house.id)}


def _organisation(ctx: Ctx, inside: bool) -> dict[str, Any]:
    organisation = create_organisation(
        ctx.db,
        principal=SYSTEM,
        organisation_in=OrganisationCreate(
            credit_code=make_credit_code("9", "2", "420597", f"{next(_sequence):08d}X"),
            name="测试商店",
            grid_code=_grid(ctx, inside),
        ),
    )
    ctx.db.commit()
    return {"organisation_id": str(organisation.id)}


def _scoped(build: Any, json: Any = None) -> tuple[Scoped, ...]:
    return tuple(
        Scoped(role, lambda ctx: build(ctx, True), lambda ctx: build(ctx, False), json=json)
        for role in (Role.GRID_WORKER, Role.COMMUNITY_STAFF)
    )


def _scoped_readers(build: Any) -> tuple[Scoped, ...]:
    return (
        *_scoped(build),
        Scoped(Role.INSPECTOR, lambda ctx: build(ctx, True), lambda ctx: build(ctx, False)),
    )


PERSON_BODY = {
    "id_number": make_resident_id("420597", date(1975, 6, 1), 3),
    "name": "矩阵测试",
    "grid_code": HOME_GRID,
}

RULES = [
    Rule("GET", "/api/v1/persons", allowed=READERS),
    Rule(
        "POST",
        "/api/v1/persons/import",
        allowed=role_set(*BASE_IMPORTERS),
        anonymous_status=(401, 422),
        wrong_role_status=(403, 422),
    ),
    Rule("GET", "/api/v1/persons/import/template", allowed=role_set(*BASE_IMPORTERS)),
    # A checked import is its uploader's alone: anybody else (any role) gets 404.
    *(
        Rule(
            method,
            f"/api/v1/persons/imports/{{import_id}}{tail}",
            allowed=role_set(*BASE_IMPORTERS),
        )
        for method, tail in (
            ("GET", ""),
            ("POST", "/commit"),
            ("DELETE", ""),
            ("GET", "/errors.xlsx"),
        )
    ),
    Rule("POST", "/api/v1/persons", allowed=WRITERS, json=PERSON_BODY),
    Rule(
        "GET",
        "/api/v1/persons/{person_id}",
        allowed=READERS,
        scoped=_scoped_readers(_person),
    ),
    Rule(
        "PATCH",
        "/api/v1/persons/{person_id}",
        allowed=WRITERS,
        json={"base_version": 1, "current_address": "宜昌市测试路1号"},
        scoped=_scoped(_person, json={"base_version": 1, "current_address": "宜昌市测试路1号"}),
    ),
    Rule(
        "GET",
        "/api/v1/persons/{person_id}/history",
        allowed=READERS,
        scoped=_scoped_readers(_person),
    ),
    Rule(
        "POST",
        "/api/v1/persons/{person_id}/full-view",
        allowed=FULL_VIEWERS,
        json={"purpose": "核实身份"},
        scoped=_scoped(_person, json={"purpose": "核实身份"}),
    ),
    Rule("GET", "/api/v1/households", allowed=READERS),
    Rule("POST", "/api/v1/households", allowed=WRITERS, json={"grid_code": HOME_GRID}),
    Rule(
        "GET",
        "/api/v1/households/{household_id}",
        allowed=READERS,
        scoped=_scoped_readers(_household),
    ),
    Rule(
        "PATCH",
        "/api/v1/households/{household_id}",
        allowed=WRITERS,
        json={"base_version": 1, "address": "宜昌市测试路2号"},
        scoped=_scoped(_household, json={"base_version": 1, "address": "宜昌市测试路2号"}),
    ),
    Rule(
        "GET",
        "/api/v1/households/{household_id}/history",
        allowed=READERS,
        scoped=_scoped_readers(_household),
    ),
    Rule("GET", "/api/v1/houses", allowed=READERS),
    Rule(
        "POST",
        "/api/v1/houses",
        allowed=WRITERS,
        json={"address": "宜昌市矩阵路1号", "grid_code": HOME_GRID},
    ),
    Rule("GET", "/api/v1/houses/{house_id}", allowed=READERS, scoped=_scoped_readers(_house)),
    Rule(
        "PATCH",
        "/api/v1/houses/{house_id}",
        allowed=WRITERS,
        json={"base_version": 1, "owner_name": "某人"},
        scoped=_scoped(_house, json={"base_version": 1, "owner_name": "某人"}),
    ),
    Rule(
        "GET",
        "/api/v1/houses/{house_id}/history",
        allowed=READERS,
        scoped=_scoped_readers(_house),
    ),
    Rule("GET", "/api/v1/organisations", allowed=READERS),
    Rule(
        "POST",
        "/api/v1/organisations",
        allowed=WRITERS,
        json={
            "credit_code": make_credit_code("9", "1", "420597", "MA4X00017"),
            "name": "矩阵公司",
            "grid_code": HOME_GRID,
        },
    ),
    Rule(
        "GET",
        "/api/v1/organisations/{organisation_id}",
        allowed=READERS,
        scoped=_scoped_readers(_organisation),
    ),
    Rule(
        "PATCH",
        "/api/v1/organisations/{organisation_id}",
        allowed=WRITERS,
        json={"base_version": 1, "industry": "retail"},
        scoped=_scoped(_organisation, json={"base_version": 1, "industry": "retail"}),
    ),
    Rule(
        "GET",
        "/api/v1/organisations/{organisation_id}/history",
        allowed=READERS,
        scoped=_scoped_readers(_organisation),
    ),
    Rule(
        "GET",
        "/api/v1/population/counts",
        allowed=READERS,
        query={"region": HOME_GRID},
    ),
]
