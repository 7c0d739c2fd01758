"""The scheduler over a real database: the lease keeps one occurrence single across servers,
a missed occurrence is caught up once, a failing run is recorded with its error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from gridgov.authz.principal import Principal
from gridgov.jobs.registry import CITY_TZ, JobSpec, daily, every
from gridgov.jobs.scheduler import Scheduler
from gridgov.kit.db import make_engine
from gridgov.models.job import JobLease, JobRun


@pytest.fixture
def factory(backend: str, fresh_database_url) -> Iterator[sessionmaker[Session]]:  # type: ignore[no-untyped-def]
    engine = make_engine(fresh_database_url(backend))
    yield sessionmaker(bind=engine, expire_on_commit=False)
    engine.dispose()


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=CITY_TZ)  # type: ignore[misc]


def _spec(name: str, fn, trigger=None) -> JobSpec:  # type: ignore[no-untyped-def]
    return JobSpec(
        name, fn, trigger or daily(hour=0, minute=30), "测试", "test", timedelta(minutes=5)
    )


def _runs(factory: sessionmaker[Session], job: str) -> list[JobRun]:
    with factory() as session:
        return list(session.scalars(select(JobRun).where(JobRun.job == job).order_by(JobRun.id)))


def test_lease_keeps_one_occurrence_single_across_two_schedulers(factory) -> None:  # type: ignore[no-untyped-def]
    entered, release = threading.Event(), threading.Event()
    calls: list[datetime] = []

    def slow(session: Session, principal: Principal, now: datetime) -> int:
        calls.append(now)
        entered.set()
        assert release.wait(10)
        return 7

    spec = _spec("test.slow", slow)
    first = Scheduler(factory, jobs={spec.name: spec})
    second = Scheduler(factory, jobs={spec.name: spec})
    day1 = _local(2026, 12, 5, 9, 0)
    first.tick(day1)  # registers the job: today's 00:30 counts as done on a fresh database
    assert _runs(factory, spec.name) == []

    at = _local(2026, 12, 6, 0, 30, 1)
    results = []
    worker = threading.Thread(target=lambda: results.append(first.fire(spec.name, at)))
    worker.start()
    assert entered.wait(10)
    # The other server fires the same occurrence while the first one runs: lease held.
    assert second.fire(spec.name, at).ran is False
    release.set()
    worker.join(10)
    assert results[0].ran and results[0].rows == 7
    # … and after the first one finished: the occurrence is done.
    assert second.fire(spec.name, at + timedelta(seconds=30)).ran is False
    runs = _runs(factory, spec.name)
    assert len(runs) == 1 and len(calls) == 1
    assert runs[0].rows == 7 and runs[0].error is None and runs[0].finished_at is not None
    assert calls[0] == _local(2026, 12, 6, 0, 30).astimezone(UTC)  # the job sees its due time
    # The next night the other server may run it.
    assert second.fire(spec.name, _local(2026, 12, 7, 0, 31)).ran is True
    assert [r.owner for r in _runs(factory, spec.name)] == [first.owner, second.owner]


def test_a_run_missed_while_down_over_midnight_is_caught_up_once(factory) -> None:  # type: ignore[no-untyped-def]
    dues: list[datetime] = []

    def nightly(session: Session, principal: Principal, now: datetime) -> int:
        dues.append(now)
        assert principal.system and principal.username == "system:test.nightly"
        return 1

    spec = _spec("test.nightly", nightly)
    scheduler = Scheduler(factory, jobs={spec.name: spec})
    scheduler.tick(_local(2026, 12, 4, 23, 0))  # server up in the evening, then down
    # Back at 09:00 two days later: both midnights were missed, the job runs once, for the newest.
    results = scheduler.tick(_local(2026, 12, 6, 9, 0))
    assert [r.ran for r in results] == [True]
    assert dues == [_local(2026, 12, 6, 0, 30).astimezone(UTC)]
    run = _runs(factory, spec.name)[0]
    assert run.kind == "catch-up"
    # Later the same morning nothing is due; the next midnight is an ordinary run.
    assert scheduler.tick(_local(2026, 12, 6, 12, 0))[0].ran is False
    assert scheduler.tick(_local(2026, 12, 7, 0, 30, 5))[0].ran is True
    assert [r.kind for r in _runs(factory, spec.name)] == ["catch-up", "schedule"]


def test_a_failing_run_records_its_error_and_rolls_its_writes_back(factory) -> None:  # type: ignore[no-untyped-def]
    def broken(session: Session, principal: Principal, now: datetime) -> int:
        session.add(JobLease(name="written-by-a-failing-job"))
        session.flush()
        raise ValueError("no such grid 420502999")

    spec = _spec("test.broken", broken, every(minutes=5))
    scheduler = Scheduler(factory, jobs={spec.name: spec})
    scheduler.tick(_local(2026, 12, 6, 9, 1))
    result = scheduler.tick(_local(2026, 12, 6, 9, 6))[0]
    assert result.ran and result.error is not None
    run = _runs(factory, spec.name)[0]
    assert run.error is not None and "ValueError: no such grid 420502999" in run.error
    assert run.finished_at is not None and run.rows is None
    with factory() as session:
        assert session.get(JobLease, "written-by-a-failing-job") is None
        lease = session.get(JobLease, spec.name)
        assert lease is not None and lease.owner is None  # released for the next occurrence
    assert scheduler.tick(_local(2026, 12, 6, 9, 11))[0].ran is True


def test_a_lease_left_by_a_dead_server_expires(factory) -> None:  # type: ignore[no-untyped-def]
    spec = _spec("test.orphan", lambda s, p, n: 0, every(minutes=5))
    scheduler = Scheduler(factory, jobs={spec.name: spec})
    scheduler.tick(_local(2026, 12, 6, 9, 1))
    at = _local(2026, 12, 6, 9, 6).astimezone(UTC)
    with factory.begin() as session:  # a server died holding the lease until 09:10
        session.execute(
            update(JobLease)
            .where(JobLease.name == spec.name)
            .values(owner="dead:1", lease_until=at + timedelta(minutes=4))
        )
    assert scheduler.fire(spec.name, at).ran is False
    assert scheduler.fire(spec.name, at + timedelta(minutes=5)).ran is True


def test_job_tables_are_empty_on_a_fresh_database(factory) -> None:  # type: ignore[no-untyped-def]
    with factory() as session:
        assert session.execute(text("SELECT count(*) FROM job_runs")).scalar() == 0
