"""Allowed means rows come back: what each role actually gets from the one scope (API and
pages), with the expected reach written out here, not taken from production code.

A department reads what it is entitled to from the shared base (police: people, households,
houses, organisations; health: people and households only) and the cases dispatched to it;
it changes none of the base. A grid worker gets the own grid; administrators get nothing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.auth.service import validate_scope_fields
from gridgov.authz.policy import readable_statement
from gridgov.authz.principal import Role, resident_principal, system_principal
from gridgov.cases.repository import CaseRepository
from gridgov.housing.schemas import HouseCreate
from gridgov.housing.service import create_house
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest
from gridgov.models.case import Case
from gridgov.models.person import Person
from gridgov.people import service
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A, GRID_OTHER, grids, person_in

pytestmark = pytest.mark.usefixtures(grids.__name__)

SYSTEM = system_principal("test")


def _city(db: Session) -> dict[str, int]:
    home = service.create_person(db, principal=SYSTEM, person_in=person_in(name="王小明"))
    away = service.create_person(
        db,
        principal=SYSTEM,
        person_in=person_in(name="李大海", sequence=13, grid_code=GRID_OTHER),
    )
    house = create_house(
        db, principal=SYSTEM, house_in=HouseCreate(address="夷陵路1号1栋101室", grid_code=GRID_A)
    )
    now = utcnow()
    case = Case(
        number="R00000000001",
        channel="hotline",
        category_code="E0503",
        department_code="GA",
        state="dispatched",
        priority="normal",
        description="机动车乱停放",
        grid_code=GRID_A,
        reported_at=now,
        dispatched_at=now,
        supervision_level=0,
        rework_count=0,
        extension_count=0,
    )
    db.add(case)
    db.flush()
    return {"home": home.id, "away": away.id, "house": house.id, "case": case.id}


def _ids(client: TestClient, url: str, headers: dict[str, str]) -> set[int]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return {row["id"] for row in response.json()["items"]}


def test_what_each_role_gets(client: TestClient, db: Session) -> None:
    rows = _city(db)
    police = auth_headers(
        client, create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="GA")
    )
    health = auth_headers(
        client, create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="WJ")
    )
    worker = auth_headers(client, create_user(db, role=Role.GRID_WORKER, region_code=GRID_A))
    leader = auth_headers(client, create_user(db, role=Role.LEADER))

    everybody = {rows["home"], rows["away"]}
    assert _ids(client, "/api/v1/persons", police) == everybody
    assert _ids(client, "/api/v1/persons", health) == everybody
    assert _ids(client, "/api/v1/persons", worker) == {rows["home"]}
    assert _ids(client, "/api/v1/persons", leader) == everybody
    assert _ids(client, "/api/v1/houses", police) == {rows["house"]}
    assert _ids(client, "/api/v1/houses", health) == set()  # not entitled: simply not there
    assert client.get(f"/api/v1/houses/{rows['house']}", headers=health).status_code == 404
    # A single row through the same scope: the worker's neighbour grid is not found.
    assert client.get(f"/api/v1/persons/{rows['away']}", headers=worker).status_code == 404
    assert client.get(f"/api/v1/persons/{rows['away']}", headers=police).status_code == 200
    # The department handler's case list is its dispatched cases, and only those.
    assert _ids(client, "/api/v1/cases", police) == {rows["case"]}
    assert _ids(client, "/api/v1/cases", health) == set()
    # Reading the base is not keeping it: departments change nothing.
    patch = client.patch(f"/api/v1/persons/{rows['home']}", json={"name": "王晓明"}, headers=police)
    assert patch.status_code in (403, 404)
    assert service.get_person(db, principal=SYSTEM, person_id=rows["home"]).name == "王小明"


def test_administrators_get_no_residents(client: TestClient, db: Session) -> None:
    _city(db)
    admin = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    assert client.get("/api/v1/persons", headers=admin).status_code == 403


def test_pages_show_the_same_reach(client: TestClient, db: Session) -> None:
    _city(db)
    user = create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="GA")
    assert web_login(client, user.username).status_code == 303
    page = client.get("/people")
    assert page.status_code == 200
    assert "王小明" in page.text and "李大海" in page.text
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    client.cookies.clear()
    assert web_login(client, worker.username).status_code == 303
    page = client.get("/people")
    assert "王小明" in page.text and "李大海" not in page.text
    # Outside the reach is a page in the user's language, not JSON.
    away = client.get("/people/persons/999999")
    assert away.status_code == 404 and away.headers["content-type"].startswith("text/html")


def test_a_resident_without_an_account_reaches_nothing(db: Session) -> None:
    rows = _city(db)
    resident = resident_principal("web")
    # The same readable statement as everyone's: the rows exist (the system finds them) …
    assert db.scalars(readable_statement(SYSTEM, Person)).all()
    assert CaseRepository(db).get_readable(SYSTEM, rows["case"]) is not None
    # … and for a resident they are simply not there.
    assert db.scalars(readable_statement(resident, Person)).all() == []
    assert CaseRepository(db).get_readable(resident, rows["case"]) is None
    # Nobody can be given the resident's "role" as an account.
    with pytest.raises(BadRequest):
        validate_scope_fields(role=Role.RESIDENT, region_code=None, department_code=None)
