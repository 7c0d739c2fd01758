"""``insert_now``: one Core INSERT for a hot path's new row, the object left as a flush leaves it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.kit.clock import utcnow
from gridgov.kit.repository import insert_now
from gridgov.models.audit import AuditEntry
from gridgov.models.case import Case


def _case(number: str) -> Case:
    return Case(
        number=number, channel="hotline", state="reported", description="测试", reported_at=utcnow()
    )


def test_the_row_and_the_object_are_what_a_flush_leaves(db: Session) -> None:
    case = insert_now(db, _case("INSNOW0000001"))
    assert case.id is not None and case in db and not db.is_modified(case)
    assert (case.priority, case.version, case.address) == ("normal", 1, None)
    stored = db.execute(select(Case.priority, Case.version).where(Case.id == case.id)).one()
    assert tuple(stored) == ("normal", 1)
    case.priority = "urgent"  # a later change is flushed as usual, version counter included
    db.flush()
    stored = db.execute(select(Case.priority, Case.version).where(Case.id == case.id)).one()
    assert tuple(stored) == ("urgent", 2)


def test_a_rolled_back_savepoint_takes_its_rows_out_of_the_session(db: Session) -> None:
    kept = trail.record(db, action="test.kept", object_type="x")
    with pytest.raises(ValueError), db.begin_nested():
        undone = trail.record(db, action="test.undone", object_type="x")
        raise ValueError
    assert kept in db and undone not in db
    # SQLite hands the freed key out again: the session must take the new row.
    again = trail.record(db, action="test.again", object_type="x")
    assert again in db
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("test.%")))
    assert sorted(actions) == ["test.again", "test.kept"]


def test_a_rolled_back_transaction_takes_its_rows_out_of_the_session(db: Session) -> None:
    undone = trail.record(db, action="test.undone", object_type="x")
    db.rollback()
    assert undone not in db
    again = trail.record(db, action="test.again", object_type="x")
    assert again in db
