from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

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
