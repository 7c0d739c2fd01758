"""Newcomers registered from the phone: a population record without a subject creates the person
(and, if asked, a household in a house of the own grid) through people.service; the resident ID
is checked with a per-field error; an ID already in the base becomes a conflict for a
supervisor, never a second person."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.housing import service as housing
from gridgov.housing.schemas import HouseCreate
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.people import service as people
from gridgov.people.schemas import PersonCreate
from gridgov.people.sensitive import lookup
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import make_grid, new_uuid, population_record, resident_id

SYSTEM = system_principal("test")

SYNC = "/api/v1/field/sync"
NEIGHBOUR_GRID = "420502001001002"
CONFLICTS = "/api/v1/field/conflicts"


def newcomer(**data: Any) -> dict[str, Any]:
    record = population_record()
    record["data"].update(residence="floating", move_in_date="2026-11-01", **data)
    return record


def sync(client: TestClient, headers: dict, *records: dict) -> list[dict]:
    response = client.post(SYNC, json={"records": list(records)}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def person_by_id(db: Session, number: str) -> Person | None:
    return db.scalars(select(Person).where(Person.id_number_hash == lookup(number))).first()


def persons(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(Person)) or 0)


def make_house(db: Session, grid_code: str, address: str = "西陵区夷陵大道 9 号 2-301") -> House:
    house = housing.create_house(
        db, principal=SYSTEM, house_in=HouseCreate(address=address, grid_code=grid_code)
    )
    db.commit()
    return house


def test_newcomer_becomes_a_person_of_the_grid(
    client: TestClient, db: Session, grid, worker, worker_headers: dict
) -> None:
    record = newcomer(phone="13912345678")
    [result] = sync(client, worker_headers, record)
    person = person_by_id(db, record["data"]["id_number"])
    assert person is not None
    assert (result["status"], result["code"]) == ("stored", 201)
    assert result["ref"] == f"person:{person.id}@v1"
    assert (person.name, person.sex, person.birth_date) == ("张丽", "F", date(1949, 12, 31))
    assert (person.grid_code, person.residence_type) == (grid.code, "floating")
    assert (person.change_source, person.changed_by_id) == ("grid_worker", worker.id)
    assert person.phone_masked == "139****5678" and person.household_id is None
    stored = db.scalars(select(FieldSubmission).where(FieldSubmission.uuid == record["uuid"])).one()
    assert (stored.state, stored.result_ref) == ("applied", result["ref"])
    # The phone re-sends (its answer was lost): the same ref, still one person.
    [again] = sync(client, worker_headers, record)
    assert (again["status"], again["ref"]) == ("duplicate", result["ref"])
    assert persons(db) == 1


def test_newcomer_opens_a_household_in_a_house_of_the_grid(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    house = make_house(db, grid.code)
    record = {**newcomer(), "new_household": {"house_id": house.id}}
    [result] = sync(client, worker_headers, record)
    assert result["status"] == "stored", result
    person = person_by_id(db, record["data"]["id_number"])
    assert person is not None and result["ref"] == f"person:{person.id}@v1"
    household = db.get(Household, person.household_id)
    assert household is not None
    assert (household.kind, household.house_id, household.grid_code) == (
        "resident",  # a floating newcomer's household
        house.id,
        grid.code,
    )
    assert household.change_source == "grid_worker"
    assert (person.relation_to_head, person.house_id) == ("head", house.id)
    assert person.current_address == house.address


def test_a_house_outside_the_own_grid_is_refused(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    make_grid(db, NEIGHBOUR_GRID, offset=0.02)
    elsewhere = make_house(db, NEIGHBOUR_GRID)
    record = {**newcomer(), "new_household": {"house_id": elsewhere.id}}
    missing = {**newcomer(), "new_household": {"house_id": 987654}}
    dispute = {
        "uuid": new_uuid(),
        "module": "disputes",
        "data": {
            "dispute_type": "family",
            "parties": 2,
            "risk": "low",
            "summary": "家庭矛盾需关注",
            "mediated": "no",
        },
        "new_household": {"house_id": elsewhere.id},
    }
    results = sync(client, worker_headers, record, missing, dispute)
    assert [r["status"] for r in results] == ["invalid"] * 3
    assert [[e["field"] for e in r["errors"]] for r in results] == [["new_household"]] * 3
    assert persons(db) == 0
    assert db.scalar(select(func.count()).select_from(Household)) == 0


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"id_number": "110105194912310021"}, "id_number", "id_check_digit"),
        ({"id_number": "110105194902300020"}, "id_number", "id_birth_date"),
        ({"sex": "M"}, "sex", "id_mismatch"),
        ({"birth_date": "1950-01-01"}, "birth_date", "id_mismatch"),
        ({"residence": "foreign"}, "residence", "id_type"),
    ],
)
def test_identity_problems_are_errors_on_their_question(
    client: TestClient, db: Session, worker_headers: dict, change: dict, field: str, code: str
) -> None:
    record = newcomer()
    record["data"].update(change)
    if change.get("residence") == "foreign":
        del record["data"]["move_in_date"]
    [result] = sync(client, worker_headers, record)
    assert (result["status"], result["code"]) == ("invalid", 400)
    [error] = result["errors"]
    assert (error["field"], error["code"]) == (field, code)
    assert error["message"] and error["message_en"] and error["message"] != error["message_en"]
    assert persons(db) == 0
    assert db.scalar(select(func.count()).select_from(FieldSubmission)) == 0


def test_an_update_with_a_wrong_check_digit_is_refused_too(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    person = people.create_person(
        db,
        principal=SYSTEM,
        person_in=PersonCreate(id_number=resident_id(), name="刘洋", grid_code=grid.code),
        source="import",
    )
    db.commit()
    record = population_record(subject_type="person", subject_id=str(person.id), base_version=1)
    valid = record["data"]["id_number"]
    record["data"]["id_number"] = valid[:17] + ("1" if valid[17] != "1" else "2")
    [result] = sync(client, worker_headers, record)
    assert result["status"] == "invalid"
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("id_number", "id_check_digit")]


def known_person(db: Session, grid_code: str, number: str) -> Person:
    person = people.create_person(
        db,
        principal=SYSTEM,
        person_in=PersonCreate(id_number=number, name="张莉", grid_code=grid_code),
        source="police",
    )
    db.commit()
    return person


def test_a_known_id_is_a_conflict_the_supervisor_accepts(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    make_grid(db, NEIGHBOUR_GRID, offset=0.02)
    house = make_house(db, grid.code)
    record = {**newcomer(), "new_household": {"house_id": house.id}}
    known = known_person(db, NEIGHBOUR_GRID, record["data"]["id_number"])
    [result] = sync(client, worker_headers, record)
    assert (result["status"], result["code"], result["review"]) == ("stale", 202, "id_exists")
    assert result["ref"] is None
    assert persons(db) == 1  # no duplicate person
    assert db.scalar(select(func.count()).select_from(Household)) == 0  # rolled back with it
    db.refresh(known)
    assert (known.version, known.grid_code) == (1, NEIGHBOUR_GRID)

    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, supervisor)
    [conflict] = client.get(CONFLICTS, headers=headers).json()
    assert (conflict["kind"], conflict["uuid"]) == ("id_exists", record["uuid"])
    assert f"person {known.id}" in conflict["reason"]
    response = client.post(
        f"{CONFLICTS}/{conflict['id']}/resolve", json={"resolution": "accept"}, headers=headers
    )
    assert response.status_code == 200, response.text
    db.refresh(known)
    # The person in the base, now living in the worker's grid with the collected data.
    assert (known.version, known.name, known.grid_code) == (2, "张丽", grid.code)
    assert (known.residence_type, known.change_source) == ("floating", "grid_worker")
    assert known.household_id is not None and known.house_id == house.id
    stored = db.scalars(select(FieldSubmission).where(FieldSubmission.uuid == record["uuid"])).one()
    assert stored.result_ref == f"person:{known.id}@v2"
    assert persons(db) == 1


def test_accepting_a_person_outside_the_area_is_refused(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    far = "420503001001001"
    make_grid(db, far, offset=0.05)
    record = newcomer()
    known = known_person(db, far, record["data"]["id_number"])
    [result] = sync(client, worker_headers, record)
    assert result["review"] == "id_exists"
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, supervisor)
    [conflict] = client.get(CONFLICTS, headers=headers).json()
    assert f"person {known.id}" in conflict["reason"]
    response = client.post(
        f"{CONFLICTS}/{conflict['id']}/resolve", json={"resolution": "accept"}, headers=headers
    )
    assert response.status_code == 404
    assert client.get(CONFLICTS, headers=headers).json()[0]["state"] == "open"
    response = client.post(
        f"{CONFLICTS}/{conflict['id']}/resolve", json={"resolution": "discard"}, headers=headers
    )
    assert response.status_code == 200
    db.refresh(known)
    assert (known.version, known.grid_code) == (1, far)


def test_the_same_newcomer_twice_in_one_batch(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    first = newcomer()
    second = newcomer(id_number=first["data"]["id_number"], name="张丽丽")
    results = sync(client, worker_headers, first, second)
    assert [(r["status"], r["review"]) for r in results] == [
        ("stored", None),
        ("stale", "id_exists"),
    ]
    assert persons(db) == 1
    [conflict] = db.scalars(select(SyncConflict)).all()
    assert (conflict.kind, conflict.uuid) == ("id_exists", second["uuid"])


def test_only_grid_workers_register_newcomers(client: TestClient, db: Session) -> None:
    inspector = create_user(db, role=Role.INSPECTOR)
    [result] = sync(client, auth_headers(client, inspector), newcomer())
    assert result["status"] == "invalid"
    assert result["errors"][0]["field"] == "subject_id"
