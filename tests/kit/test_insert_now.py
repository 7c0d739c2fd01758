"""``insert_now``: one Core INSERT for a hot path's new row, the object left as a flush leaves it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.kit.clock import utcnow
from gridgov.kit.repository import insert_now
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
    kept = insert_now(db, _case("INSNOW0000002"))
    with pytest.raises(ValueError), db.begin_nested():
        undone = insert_now(db, _case("INSNOW0000003"))
        raise ValueError
    assert kept in db and undone not in db
    # SQLite hands the freed key out again: the session must take the new row.
    again = insert_now(db, _case("INSNOW0000004"))
    assert again in db
    numbers = db.scalars(select(Case.number).where(Case.number.like("INSNOW%")))
    assert sorted(numbers) == ["INSNOW0000002", "INSNOW0000004"]


def test_a_rolled_back_transaction_takes_its_rows_out_of_the_session(db: Session) -> None:
    undone = trail.record(db, action="test.undone", object_type="x")  # the first: at once
    db.rollback()
    assert undone not in db
    again = trail.record(db, action="test.again", object_type="x")
    assert again in db


def test_a_transactions_further_entries_are_flushed_together(db: Session) -> None:
    first = trail.record(db, action="test.first", object_type="x")
    second = trail.record(db, action="test.second", object_type="x")
    assert not db.is_modified(first) and first not in db.new and second in db.new
    db.flush()
    assert first.id < second.id
