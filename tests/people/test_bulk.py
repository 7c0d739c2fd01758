from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import Person
from gridgov.people import bulk


def _indexes(db: Session) -> set[str]:
    return {ix["name"] for ix in inspect(db.connection()).get_indexes("persons")}


def test_deferred_indexes_are_rebuilt(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _indexes(db)
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 1)
    with bulk.deferred_indexes(db, [Person], 10):
        during = _indexes(db)
    assert _indexes(db) == before
    assert "ix_persons_name" not in during
    assert len(during) < len(before)


def _house_columns(addresses: list[str]) -> bulk.Columns:
    n = len(addresses)
    return bulk.Columns(
        {
            "id": list(range(900_001, 900_001 + n)),
            "address": addresses,
            "building": [None, *["1栋"] * (n - 1)],
            "floor": list(range(1, n + 1)),
            "area_m2": [58.5] * n,
            "grid_code": ["420502001001001"] * n,
            "use": ["residence"] * n,
        },
        {
            "status": "active",
            "version": 1,
            "changed_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "changed_by_id": None,
            "changed_by_name": "O'Brien",
            "change_source": "system",
            "change_reason": "测试",
        },
    )


def test_columns_are_written_as_stored(db: Session) -> None:
    dialect = db.get_bind().dialect.name
    addresses = ["宜昌市解放路1号", "tab\there", "back\\slash", "new\nline", "quote'd", "\\N"]
    org = bulk.Columns(
        {
            "id": [900_001],
            "credit_code": ["91420502MA4KXXXX0X"],
            "name": ["惠民超市"],
            "org_type": ["enterprise"],
            "address": [addresses[0]],
            "house_id": [900_001],
            "grid_code": ["420502001001001"],
            "licences": [json.dumps([{"kind": "business_licence", "valid_until": None}])],
        },
        {
            "status": "active",
            "version": 1,
            "changed_at": datetime.now(UTC),
            "change_source": "system",
        },
    )
    bulk.write(db, bulk.encode(dialect, House, _house_columns(addresses)))
    bulk.write(db, bulk.encode(dialect, Organisation, org))
    db.expire_all()
    houses = list(db.scalars(select(House).where(House.id > 900_000).order_by(House.id)))
    assert [h.address for h in houses] == addresses
    assert houses[0].building is None and houses[1].building == "1栋"
    assert [h.floor for h in houses] == [1, 2, 3, 4, 5, 6]
    assert houses[0].area_m2 == 58.5 and houses[0].changed_by_name == "O'Brien"
    assert houses[0].changed_at.replace(tzinfo=UTC) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert houses[0].created_at is not None  # server defaults still apply
    organisation = db.get(Organisation, 900_001)
    assert organisation is not None
    assert organisation.licences == [{"kind": "business_licence", "valid_until": None}]


def test_deferred_foreign_keys_are_checked_when_added_again(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 1)
    before = inspect(db.connection()).get_foreign_keys("persons")
    with bulk.deferred_foreign_keys(db, [Person], 10):
        during = inspect(db.connection()).get_foreign_keys("persons")
    assert inspect(db.connection()).get_foreign_keys("persons") == before
    if db.get_bind().dialect.name != "postgresql":
        assert during == before  # SQLite keeps its (cheap) checks
        return
    assert during == []
    dialect = db.get_bind().dialect.name
    household = bulk.Columns(
        {"id": [900_001], "household_no": ["X1"], "house_id": [123_456_789], "kind": ["resident"]},
        {
            "grid_code": "420502001001001",
            "status": "active",
            "version": 1,
            "changed_at": datetime.now(UTC),
            "change_source": "system",
        },
    )
    with (
        pytest.raises(IntegrityError),
        db.begin_nested(),
        bulk.deferred_foreign_keys(db, [Household], 10),
    ):
        bulk.write(db, bulk.encode(dialect, Household, household))  # a house that is not there
