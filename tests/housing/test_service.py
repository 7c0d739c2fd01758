from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.housing import service
from gridgov.housing.schemas import HouseCreate, HouseUpdate
from gridgov.kit.errors import Conflict, Forbidden
from gridgov.people import service as people
from gridgov.people.schemas import HouseholdCreate, HouseholdUpdate
from gridgov.people.stats import population_counts
from tests.people.conftest import GRID_A, GRID_B, person_in


def test_house_versions_residents_and_demolition(
    db: Session, grids: list[str], worker: Principal
) -> None:
    house = service.create_house(
        db,
        principal=worker,
        house_in=HouseCreate(address="宜昌市西陵区解放路8号1栋1单元101", grid_code=GRID_A),
    )
    with pytest.raises(Conflict):
        service.create_house(
            db,
            principal=worker,
            house_in=HouseCreate(address="宜昌市西陵区解放路8号1栋1单元101", grid_code=GRID_A),
        )
    with pytest.raises(Forbidden):
        service.create_house(
            db, principal=worker, house_in=HouseCreate(address="宜昌市别处1号", grid_code=GRID_B)
        )
    person = people.create_person(db, principal=worker, person_in=person_in(house_id=house.id))
    assert [p.id for p in service.house_residents(db, principal=worker, house_id=house.id)] == [
        person.id
    ]
    service.update_house(
        db,
        principal=worker,
        house_id=house.id,
        changes=HouseUpdate(use="rented", owner_name="李四"),
        reason="出租登记",
        base_version=1,
    )
    service.update_house(
        db, principal=worker, house_id=house.id, changes=HouseUpdate(status="demolished")
    )
    history = service.house_history(db, principal=worker, house_id=house.id)
    assert [v.version for v in history] == [1, 2, 3]
    assert history[1].changed_fields == ["owner_name", "use"]
    assert history[0].data["use"] == "residence"
    assert population_counts(db, region_codes=[GRID_A])[GRID_A].houses == 0


def test_household_update_and_history(db: Session, grids: list[str], worker: Principal) -> None:
    household = people.create_household(
        db, principal=worker, household_in=HouseholdCreate(grid_code=GRID_A, address="甲")
    )
    people.update_household(
        db,
        principal=worker,
        household_id=household.id,
        changes=HouseholdUpdate(address="乙"),
        base_version=1,
    )
    with pytest.raises(Conflict):
        people.update_household(
            db,
            principal=worker,
            household_id=household.id,
            changes=HouseholdUpdate(status="dissolved"),
            base_version=1,
        )
    history = people.household_history(db, principal=worker, household_id=household.id)
    assert [v.data["address"] for v in history] == ["甲", "乙"]
