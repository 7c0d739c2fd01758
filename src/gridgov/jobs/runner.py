"""Running one job once: take the lease in the database, run, record the run.

The lease is one conditional UPDATE of the job's row (portable: SQLite and PostgreSQL), taken
only if the lease is free or expired and, for a scheduled run, the due time is newer than the
one already done. So two schedulers on one database never run the same occurrence twice, even
when one finishes before the other wakes up; a server that dies mid-run frees the job when its
lease expires. Each run gets a ``job_runs`` row: started, finished, rows touched, error.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from gridgov.authz.principal import system_principal
from gridgov.jobs.registry import JobSpec
from gridgov.kit.clock import utcnow
from gridgov.models.job import JobLease, JobRun

log = logging.getLogger(__name__)

SessionFactory = sessionmaker[Session]
# A run this long after its due time is a catch-up (the server was down or busy).
LATE = timedelta(minutes=2)


def make_owner() -> str:
    """Who holds a lease: host, process and a random part (two schedulers in one process too)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class RunResult:
    job: str
    ran: bool
    run_id: int | None = None
    rows: int | None = None
    error: str | None = None


def ensure_lease_rows(factory: SessionFactory, specs: list[JobSpec], now: datetime) -> None:
    """Give every job its lease row. A job seen for the first time counts its latest due time as
    done (nothing to catch up on a fresh install); later downtime is caught up from there."""
    with factory() as session:
        known = set(session.scalars(select(JobLease.name)))
    for spec in specs:
        if spec.name in known:
            continue
        try:
            with factory.begin() as session:
                session.add(JobLease(name=spec.name, last_due_at=spec.latest_due(now)))
        except IntegrityError:  # another server created it at the same moment
            pass


def _acquire(
    factory: SessionFactory, spec: JobSpec, owner: str, now: datetime, due: datetime | None
) -> bool:
    with factory.begin() as session:
        stmt = (
            update(JobLease)
            .where(JobLease.name == spec.name)
            .where(or_(JobLease.lease_until.is_(None), JobLease.lease_until < now))
            .values(owner=owner, lease_until=now + spec.lease)
        )
        if due is not None:
            stmt = stmt.where(or_(JobLease.last_due_at.is_(None), JobLease.last_due_at < due))
        taken = session.execute(stmt).rowcount == 1  # type: ignore[attr-defined]
        if not taken and due is None:
            # A manual run of a job nobody scheduled yet on this database.
            exists = session.get(JobLease, spec.name)
            if exists is None:
                session.add(JobLease(name=spec.name, owner=owner, lease_until=now + spec.lease))
                taken = True
        return taken


def run(
    factory: SessionFactory,
    spec: JobSpec,
    *,
    now: datetime | None = None,
    due: datetime | None = None,
    kind: str = "schedule",
    owner: str | None = None,
) -> RunResult:
    """Run ``spec`` once if its lease can be taken. ``due`` = the scheduled occurrence (None for
    a manual run, which only waits for the lease); the job function gets ``due or now``."""
    now = (now or utcnow()).astimezone(UTC)
    due = due.astimezone(UTC) if due is not None else None
    owner = owner or make_owner()
    if not _acquire(factory, spec, owner, now, due):
        return RunResult(spec.name, ran=False)
    with factory.begin() as session:
        entry = JobRun(job=spec.name, kind=kind, owner=owner, due_at=due, started_at=utcnow())
        session.add(entry)
        session.flush()
        run_id = entry.id
    rows: int | None = None
    error: str | None = None
    try:
        with factory.begin() as session:
            rows = int(spec.function(session, system_principal(spec.name), due or now))
    except Exception as exc:  # recorded on the run and shown on the admin page
        log.exception("job %s failed", spec.name)
        error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
    with factory.begin() as session:
        session.execute(
            update(JobRun)
            .where(JobRun.id == run_id)
            .values(finished_at=utcnow(), rows=rows, error=error)
        )
        done: dict[str, object] = {"owner": None, "lease_until": None}
        if due is not None:
            done["last_due_at"] = due
        session.execute(
            update(JobLease)
            .where(JobLease.name == spec.name, JobLease.owner == owner)
            .values(**done)
        )
    return RunResult(spec.name, ran=True, run_id=run_id, rows=rows, error=error)


def run_if_due(
    factory: SessionFactory, spec: JobSpec, *, now: datetime | None = None, owner: str | None = None
) -> RunResult:
    """Run the newest occurrence at or before ``now`` that is not done yet (at most once: a
    server down over several occurrences runs the job once, for the newest)."""
    now = (now or utcnow()).astimezone(UTC)
    with factory() as session:
        lease = session.get(JobLease, spec.name)
        done = lease.last_due_at if lease is not None else None
    if done is not None and done.tzinfo is None:  # SQLite returns naive UTC
        done = done.replace(tzinfo=UTC)
    due = spec.latest_due(now, after=done)
    if due is None:
        return RunResult(spec.name, ran=False)
    kind = "catch-up" if now - due > LATE else "schedule"
    return run(factory, spec, now=now, due=due, kind=kind, owner=owner)
