"""Submissions about a person update the population base as a new version (source grid_worker);
an edit made on an old version becomes a conflict a supervisor resolves."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.models.person import Person
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import new_uuid, population_record

SYSTEM = system_principal("test")

people_service = pytest.importorskip("gridgov.people.service")
people_schemas = pytest.importorskip("gridgov.people.schemas")


def make_person(db: Session, grid_code: str) -> Person:
    person = people_service.create_person(
        db,
        principal=SYSTEM,
        person_in=people_schemas.PersonCreate(
            id_number="11010519491231002X",
            name="张丽",
            sex="F",
            birth_date=date(1949, 12, 31),
            grid_code=grid_code,
        ),
        source="import",
    )
    db.flush()
    return person


def test_population_update_versions_and_stale_conflict(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    person = make_person(db, grid.code)
    assert person.version == 1
    edit = population_record(subject_type="person", subject_id=str(person.id), base_version=1)
    edit["data"]["phone"] = "13800138000"
    response = client.post("/api/v1/field/sync", json={"records": [edit]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert result["status"] == "stored", result
    assert result["ref"] == f"person:{person.id}@v2"
    db.refresh(person)
    assert (person.version, person.change_source, person.phone_masked) == (
        2,
        "grid_worker",
        "138****8000",
    )

    stale = population_record(subject_type="person", subject_id=str(person.id), base_version=1)
    stale["data"]["name"] = "张丽华"
    response = client.post("/api/v1/field/sync", json={"records": [stale]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert (result["status"], result["code"]) == ("stale", 202)
    db.refresh(person)
    assert (person.version, person.name) == (2, "张丽")  # nothing overwritten

    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, supervisor)
    [conflict] = client.get("/api/v1/field/conflicts", headers=headers).json()
    assert (conflict["kind"], conflict["uuid"]) == ("stale", stale["uuid"])
    assert client.get("/api/v1/field/conflicts", headers=worker_headers).status_code == 403
    response = client.post(
        f"/api/v1/field/conflicts/{conflict['id']}/resolve",
        json={"resolution": "accept"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    db.refresh(person)
    assert (person.version, person.name) == (3, "张丽华")
    assert client.get("/api/v1/field/conflicts", headers=headers).json() == []


def test_subject_type_must_match_the_module(client: TestClient, worker_headers: dict) -> None:
    record = population_record(subject_type="house", subject_id="1", base_version=1)
    response = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    assert response.json()["results"][0]["status"] == "invalid"


def test_unknown_subject_is_stored_with_error_state(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    record = population_record(subject_type="person", subject_id="999999", base_version=1)
    response = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert result["status"] == "stored"
    mine = client.get("/api/v1/field/submissions", headers=worker_headers).json()
    assert mine[0]["state"] == "error"


def test_house_module_updates_the_house(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    housing = pytest.importorskip("gridgov.housing.service")
    housing_schemas = pytest.importorskip("gridgov.housing.schemas")
    house = housing.create_house(
        db,
        principal=SYSTEM,
        house_in=housing_schemas.HouseCreate(
            address="西陵区夷陵大道 1 号 3-201", grid_code=grid.code
        ),
    )
    db.flush()
    record = {
        "uuid": new_uuid(),
        "module": "housing",
        "subject_type": "house",
        "subject_id": str(house.id),
        "base_version": house.version,
        "data": {
            "address": house.address,
            "use": "shop",
            "occupancy": "rented",
            "tenants": 3,
            "area": 88.5,
        },
    }
    response = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert result["status"] == "stored" and result["ref"] == f"house:{house.id}@v2", result
    db.refresh(house)
    assert (house.use, house.area_m2, house.change_source) == ("shop", 88.5, "grid_worker")
