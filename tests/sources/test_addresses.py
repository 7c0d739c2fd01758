from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.sources import addresses
from gridgov.sources.addresses import address_key, parse_address, resolve_address

GRID = "420502001001001"
STANDARD = "宜昌市西陵区解放路12号5栋2单元1203"


@pytest.fixture(autouse=True, params=["per address", "one pass"])
def lookup(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every resolution test runs both ways an address without city and district is looked up:
    a LIKE per address (few of them) and one pass over the register (a batch of many)."""
    if request.param == "one pass":
        monkeypatch.setattr(addresses, "SCAN_FROM", -1)
    return str(request.param)


def _house(db: Session, address: str, grid: str = GRID) -> House:
    now = datetime.now(UTC)
    house = House(address=address, grid_code=grid, changed_at=now, change_source="import")
    db.add(house)
    db.flush()
    return house


@pytest.mark.parametrize(
    "spelling",
    [
        "宜昌市西陵区解放路12号5栋2单元1203室",
        "解放路12号5-2-1203",
        "西陵区解放路12号5号楼2单元1203",
        "宜昌市西陵区解放路十二号五栋二单元一二零三室",
        "解放路12号5#2-1203",
        "宜昌市 西陵区 解放路１２号 ５幢２单元１２０３",
        "宜昌市西陵区西陵街道夷陵社区解放路12号5栋2-1203",
    ],
)
def test_every_spelling_of_one_flat_finds_the_same_house(db: Session, spelling: str) -> None:
    house = _house(db, STANDARD)
    _house(db, "宜昌市西陵区解放路12号5栋2单元1204")
    _house(db, "宜昌市西陵区解放路12号5栋1单元1203")
    now = datetime.now(UTC)
    household = Household(
        household_no="HH-T-1", house_id=house.id, grid_code=GRID, changed_at=now,
        change_source="import",
    )  # fmt: skip
    db.add(household)
    db.flush()
    found = resolve_address(db, spelling)
    assert found is not None
    assert (found.house_id, found.household_id, found.grid_code, found.address) == (
        house.id,
        household.id,
        GRID,
        STANDARD,
    )


def test_unit_missing_resolves_only_when_one_unit_has_the_room(db: Session) -> None:
    one = _house(db, "宜昌市西陵区解放路12号7栋1单元301")
    found = resolve_address(db, "解放路12号7栋301")
    assert found is not None and found.house_id == one.id and found.household_id is None
    _house(db, "宜昌市西陵区解放路12号7栋2单元301")
    assert resolve_address(db, "解放路12号7栋301") is None


def test_unknown_or_vague_addresses_resolve_to_nothing(db: Session) -> None:
    _house(db, STANDARD)
    assert resolve_address(db, "解放路12号5栋2单元1205") is None
    assert resolve_address(db, "解放路12号五栋二单元") is None  # no room: many flats
    assert resolve_address(db, "") is None
    assert resolve_address(db, "西陵区某处") is None


def test_same_road_number_in_two_districts_needs_the_district(db: Session) -> None:
    xiling = _house(db, STANDARD)
    _house(db, "宜昌市伍家岗区解放路12号5栋2单元1203", grid="420503001001001")
    assert resolve_address(db, "解放路12号5-2-1203") is None
    found = resolve_address(db, "宜昌市西陵区解放路12号5-2-1203")
    assert found is not None and found.house_id == xiling.id


def test_parse_keeps_road_names_with_numerals_and_compound_names() -> None:
    parsed = parse_address("胜利四路3号阳光花园五栋二单元401室")
    assert parsed is not None
    assert (parsed.road, parsed.number, parsed.compound) == ("胜利四路", "3", "阳光花园")
    assert (parsed.building, parsed.unit, parsed.room, parsed.floor) == ("5", "2", "401", 4)
    assert address_key("胜利四路3号5-2-401") == "胜利四路3号5栋2单元401"
    assert address_key("解放路12号3号商铺") == "解放路12号3号商铺"
