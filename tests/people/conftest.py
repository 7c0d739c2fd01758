from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.people.identifiers import make_resident_id
from gridgov.people.schemas import PersonCreate
from tests.authz.city import make_region

GRID_A = "420502001001001"
GRID_B = "420502001001002"
GRID_OTHER = "420502002001001"


@pytest.fixture
def grids(db: Session) -> list[str]:
    district = make_region(db, code="420502", level="district")
    street = make_region(db, code="420502001", level="street", parent=district)
    street2 = make_region(db, code="420502002", level="street", parent=district)
    community = make_region(db, code="420502001001", level="community", parent=street)
    community2 = make_region(db, code="420502002001", level="community", parent=street2)
    make_region(db, code=GRID_A, level="grid", parent=community)
    make_region(db, code=GRID_B, level="grid", parent=community)
    make_region(db, code=GRID_OTHER, level="grid", parent=community2)
    return [GRID_A, GRID_B, GRID_OTHER]


def principal(role: Role, region_code: str | None = None, user_id: int = 1) -> Principal:
    return Principal(
        user_id=user_id, username=f"{role.value}{user_id}", role=role, region_code=region_code
    )


@pytest.fixture
def worker() -> Principal:
    return principal(Role.GRID_WORKER, GRID_A, 11)


@pytest.fixture
def community_staff() -> Principal:
    return principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12)


def person_in(
    *,
    name: str = "王小明",
    birth: date = date(1985, 3, 14),
    sequence: int = 11,
    grid_code: str = GRID_A,
    **extra: object,
) -> PersonCreate:
    return PersonCreate.model_validate(
        {
            "id_number": make_resident_id("420502", birth, sequence),
            "name": name,
            "grid_code": grid_code,
            "phone": "13800001234",
            **extra,
        }
    )
