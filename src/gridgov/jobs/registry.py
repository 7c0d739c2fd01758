"""The one list of scheduled jobs, declared next to the domain they belong to.

    @scheduled("cases.deadline_flags", every(minutes=5), "预警与超期标记", "deadline flags")
    def flag_deadlines(session, principal, now) -> int: ...

The function runs in one transaction (committed by the runner) with the explicit
``system_principal(name)``, gets the scheduled time as ``now`` and returns the rows it touched.
Triggers are APScheduler triggers in the city's time zone; interval triggers start from a fixed
epoch, so every server computes the same due times (the lease compares them).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal

CITY_TZ = ZoneInfo("Asia/Shanghai")
_EPOCH = datetime(2026, 1, 1, tzinfo=CITY_TZ)
# Catch-up looks back at most this far (a server down for a month runs each job once, not 30×).
CATCH_UP_WINDOW = timedelta(days=3)

JobFunction = Callable[[Session, Principal, datetime], int]

# The modules whose import registers their jobs (each declares its jobs in its own `jobs.py`).
JOB_MODULES = (
    "gridgov.jobs.builtin",
    "gridgov.dashboard.jobs",
    "gridgov.evaluation.jobs",
    "gridgov.audit.jobs",
    "gridgov.people.jobs",
    "gridgov.redivision.jobs",
)


@dataclass(frozen=True)
class JobSpec:
    name: str
    function: JobFunction
    trigger: BaseTrigger
    # What it does, in Chinese and in English (the admin page shows the reader's language).
    description: str
    description_en: str
    # Longest a run may hold the lease; a server that dies mid-run frees the job after this.
    lease: timedelta

    @property
    def schedule_text(self) -> str:
        return str(self.trigger)

    @property
    def every_minutes(self) -> int | None:
        if isinstance(self.trigger, IntervalTrigger):
            return int(self.trigger.interval.total_seconds() // 60)
        return None

    @property
    def daily_at(self) -> str | None:
        """ "HH:MM" for a daily cron trigger."""
        if not isinstance(self.trigger, CronTrigger):
            return None
        fields = {f.name: str(f) for f in self.trigger.fields}
        if fields["hour"].isdigit() and fields["minute"].isdigit() and fields["day"] == "*":
            return f"{int(fields['hour']):02d}:{int(fields['minute']):02d}"
        return None

    def latest_due(self, now: datetime, *, after: datetime | None = None) -> datetime | None:
        """The newest scheduled time at or before ``now`` (and after ``after``, if given)."""
        start = now - CATCH_UP_WINDOW
        if after is not None and after > start:
            start = after
        previous: datetime | None = None
        due = self.trigger.get_next_fire_time(None, start)
        if after is not None and due is not None and due <= after:
            due = self.trigger.get_next_fire_time(due, due)
        while due is not None and due <= now:
            previous = due
            due = self.trigger.get_next_fire_time(due, due)
        return previous.astimezone(UTC) if previous is not None else None


_JOBS: dict[str, JobSpec] = {}


def daily(*, hour: int, minute: int = 0) -> BaseTrigger:
    return CronTrigger(hour=hour, minute=minute, timezone=CITY_TZ)


def every(*, minutes: int) -> BaseTrigger:
    return IntervalTrigger(minutes=minutes, start_date=_EPOCH, timezone=CITY_TZ)


def scheduled(
    name: str,
    trigger: BaseTrigger,
    description: str,
    description_en: str,
    *,
    lease: timedelta = timedelta(minutes=30),
) -> Callable[[JobFunction], JobFunction]:
    """Register ``fn`` as the job ``name`` (a second registration of a name replaces the first:
    modules may be re-imported in tests)."""

    def register(fn: JobFunction) -> JobFunction:
        _JOBS[name] = JobSpec(name, fn, trigger, description, description_en, lease)
        return fn

    return register


def load_all() -> dict[str, JobSpec]:
    """Import every job module and return the registered jobs by name."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(sorted(_JOBS.items()))


def get(name: str) -> JobSpec | None:
    return load_all().get(name)


def unregister(name: str) -> None:
    """Remove a job (tests register throw-away jobs)."""
    _JOBS.pop(name, None)
