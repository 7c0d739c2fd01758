from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from gridgov.kit.db import after_commit
from gridgov.models import Staff


def test_migrations_create_every_table(db: Session) -> None:
    tables = set(inspect(db.connection()).get_table_names())
    assert {"regions", "overlay_coverage", "staff", "staff_assignments", "facilities"} <= tables
    assert "audit_entries" in tables


def test_after_commit_effects_run_only_on_commit(db: Session) -> None:
    ran: list[str] = []
    after_commit(db, lambda: ran.append("kept"))
    db.add(Staff(staff_no="T1", name="测试", kind="grid_worker"))
    db.commit()
    assert ran == ["kept"]

    after_commit(db, lambda: ran.append("dropped"))
    db.add(Staff(staff_no="T2", name="测试", kind="grid_worker"))
    db.rollback()
    db.commit()
    assert ran == ["kept"]
    assert db.scalar(select(Staff).where(Staff.staff_no == "T2")) is None
