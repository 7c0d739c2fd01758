from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.models.audit import AuditEntry
from gridgov.models.staff import Staff


def entries(db: Session, action: str) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_a_write_without_trail_entry_is_recorded_anyway(db: Session) -> None:
    staff = Staff(staff_no="AT1", name="测试", kind="grid_worker")
    db.add(staff)
    db.commit()
    (entry,) = entries(db, "data.write")
    assert entry.object_type == "staff"
    assert entry.after == {"changes": {"staff": {"insert": [str(staff.id)]}}}
    staff.name = "改名"
    db.commit()
    assert len(entries(db, "data.write")) == 2
    assert entries(db, "data.write")[-1].after == {
        "changes": {"staff": {"update": [str(staff.id)]}}
    }


def test_no_extra_entry_when_the_service_recorded_one(db: Session) -> None:
    db.add(Staff(staff_no="AT2", name="测试", kind="grid_worker"))
    trail.record(db, action="staff.create", object_type="staff")
    db.commit()
    assert entries(db, "data.write") == []


def test_rollback_leaves_nothing(db: Session) -> None:
    db.add(Staff(staff_no="AT3", name="测试", kind="grid_worker"))
    db.flush()
    db.rollback()
    db.commit()
    assert entries(db, "data.write") == []
