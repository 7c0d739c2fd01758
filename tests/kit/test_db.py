import threading

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from gridgov.kit.db import after_commit, make_engine
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


def _begin_elsewhere(engine: Engine) -> threading.Event:
    """Open and commit a transaction in another thread; the event is set once it is done."""
    done = threading.Event()

    def other() -> None:
        with engine.begin() as conn:
            conn.execute(select(1))
        done.set()

    threading.Thread(target=other, daemon=True).start()
    return done


def test_sqlite_transactions_release_the_process_lock_however_they_end(
    fresh_database_url,  # type: ignore[no-untyped-def]
) -> None:
    engine = make_engine(fresh_database_url("sqlite"))
    # committed
    with Session(engine) as session:
        session.add(Staff(staff_no="L1", name="甲", kind="grid_worker"))
        session.commit()
    assert _begin_elsewhere(engine).wait(5)
    # closed without commit (rolled back)
    session = Session(engine)
    session.execute(select(Staff))
    session.close()
    assert _begin_elsewhere(engine).wait(5)
    # the connection invalidated mid-transaction
    conn = engine.connect()
    conn.execute(select(1))
    conn.invalidate()
    assert _begin_elsewhere(engine).wait(5)
    # an open transaction makes the others wait, and they go on once it ends
    holder = engine.connect()
    holder.execute(select(1))
    waiting = _begin_elsewhere(engine)
    assert not waiting.wait(0.3)
    holder.rollback()
    holder.close()
    assert waiting.wait(5)
    engine.dispose()


def test_a_savepoint_rolled_back_drops_only_its_own_effects(db: Session) -> None:
    ran: list[str] = []
    after_commit(db, lambda: ran.append("before"))
    try:
        with db.begin_nested():
            after_commit(db, lambda: ran.append("inside the failed attempt"))
            raise ValueError
    except ValueError:
        pass
    with db.begin_nested():
        after_commit(db, lambda: ran.append("inside a good attempt"))
    db.commit()
    assert ran == ["before", "inside a good attempt"]
