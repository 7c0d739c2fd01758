"""Reading the run history (the admin page, the API, the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.jobs import registry
from gridgov.jobs.registry import CITY_TZ, JobSpec
from gridgov.models.job import JobLease, JobRun

RECENT_RUNS = 200


def local_text(moment: datetime | None) -> str:
    """A time in the city's time zone, to the second."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CITY_TZ).strftime("%Y-%m-%d %H:%M:%S")


def last_runs(session: Session, names: Sequence[str]) -> list[JobRun]:
    """The newest run of each job in ``names``."""
    newest = (
        select(JobRun.job, func.max(JobRun.id).label("id"))
        .where(JobRun.job.in_(names))
        .group_by(JobRun.job)
        .subquery()
    )
    return list(session.scalars(select(JobRun).join(newest, newest.c.id == JobRun.id)))


def recent_runs(
    session: Session, *, job: str | None = None, limit: int = RECENT_RUNS
) -> list[JobRun]:
    stmt = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if job is not None:
        stmt = stmt.where(JobRun.job == job)
    return list(session.scalars(stmt))


def leases(session: Session) -> dict[str, JobLease]:
    return {lease.name: lease for lease in session.scalars(select(JobLease))}


def overview(session: Session) -> list[JobOverview]:
    """Every registered job with its lease and its newest run (the admin page and the API)."""
    specs = registry.load_all()
    held = leases(session)
    newest = {run.job: run for run in last_runs(session, list(specs))}
    return [
        JobOverview(spec=spec, lease=held.get(name), last_run=newest.get(name))
        for name, spec in specs.items()
    ]


@dataclass(frozen=True)
class JobOverview:
    spec: JobSpec
    lease: JobLease | None
    last_run: JobRun | None
