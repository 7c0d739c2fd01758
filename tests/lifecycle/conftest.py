"""A grid with one house, a household and a mother living there; the grid's worker; the health
and police departments that push events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.people import service as people
from gridgov.people.identifiers import make_resident_id
from gridgov.people.schemas import PersonCreate
from gridgov.people.versioning import stamp
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import grid, principal, worker, worker_headers

SYSTEM = system_principal("test")

__all__ = ["grid", "principal", "worker", "worker_headers"]

# The register's spelling; hospitals write it their own way (resolved by the sources' normaliser).
ADDRESS = "宜昌市西陵区夷陵大道58号3栋2单元501"
HOSPITAL_ADDRESS = "夷陵大道58号3栋2单元501室"
MOTHER_ID = make_resident_id("420502", date(1995, 3, 8), 24)
FATHER_ID = make_resident_id("420502", date(1993, 7, 1), 13)


@dataclass
class Family:
    house: House
    household: Household
    mother: Person
    father: Person


def add_person(db: Session, *, name: str, id_number: str, grid_code: str, **extra: Any) -> Person:
    return people.create_person(
        db,
        principal=system_principal("test"),
        person_in=PersonCreate(name=name, id_number=id_number, grid_code=grid_code, **extra),
    )


@pytest.fixture
def family(db: Session, grid: Any) -> Family:
    return family_in(db, grid.code)


def family_in(db: Session, grid_code: str) -> Family:
    """The house at ADDRESS, its household, the father (head) and the mother (spouse)."""
    house = House(address=ADDRESS, grid_code=grid_code, lng=111.30, lat=30.70)
    stamp(house, principal=SYSTEM, source="test", reason=None)
    db.add(house)
    db.flush()
    household = Household(
        household_no="4205020001",
        grid_code=grid_code,
        house_id=house.id,
        address=ADDRESS,
    )
    stamp(household, principal=SYSTEM, source="test", reason=None)
    db.add(household)
    db.flush()
    common = {"household_id": household.id, "house_id": house.id}
    father = add_person(
        db,
        name="王强",
        id_number=FATHER_ID,
        grid_code=grid_code,
        relation_to_head="head",
        **common,
    )
    mother = add_person(
        db,
        name="李娟",
        id_number=MOTHER_ID,
        grid_code=grid_code,
        relation_to_head="spouse",
        **common,
    )
    db.commit()
    return Family(house, household, mother, father)


@pytest.fixture
def health_headers(client: TestClient, db: Session) -> dict[str, str]:
    user = create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="WJ")
    return auth_headers(client, user)


@pytest.fixture
def police_headers(client: TestClient, db: Session) -> dict[str, str]:
    user = create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="GA")
    return auth_headers(client, user)


def birth_event(ref: str = "HOSP-2026-0001", **data: Any) -> dict[str, Any]:
    """A hospital's birth record as pushed to ``POST /api/v1/lifecycle/events``."""
    record: dict[str, Any] = {
        "baby_sex": "男",
        "birth_time": "2026-12-01T08:15:00+08:00",
        "weight_g": 3350,
        "hospital": "宜昌市中心人民医院",
        "mother_name": "李娟",
        "mother_id": MOTHER_ID,
        "father_name": "王强",
        "father_id": FATHER_ID,
        "address": HOSPITAL_ADDRESS,
        "birth_cert_no": "Q420123456",
    }
    record.update(data)
    return {
        "event_type": "birth",
        "source_ref": ref,
        "occurred_on": "2026-12-01",
        "data": record,
    }
