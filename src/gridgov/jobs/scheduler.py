"""The scheduler: APScheduler 3 (BackgroundScheduler) fires each registered job on its trigger;
every firing goes through the database lease (``runner.run_if_due``), so the embedded scheduler
of each ``gridgov serve`` process and any ``gridgov jobs worker`` can all run at once.

At start every job is fired once immediately: an occurrence missed while no server ran (down
over midnight) is caught up then.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI

from gridgov.config import Mode, Settings
from gridgov.jobs import registry, runner
from gridgov.jobs.registry import CITY_TZ, JobSpec
from gridgov.jobs.runner import RunResult, SessionFactory
from gridgov.kit.clock import utcnow

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, factory: SessionFactory, *, jobs: dict[str, JobSpec] | None = None) -> None:
        self.factory = factory
        self.jobs = jobs if jobs is not None else registry.load_all()
        self.owner = runner.make_owner()
        self._background: BackgroundScheduler | None = None

    def tick(self, now: datetime | None = None) -> list[RunResult]:
        """Run every job that is due at ``now`` (what each firing does; tests call it directly)."""
        now = now or utcnow()
        runner.ensure_lease_rows(self.factory, list(self.jobs.values()), now)
        return [self.fire(name, now) for name in self.jobs]

    def fire(self, name: str, now: datetime | None = None) -> RunResult:
        return runner.run_if_due(self.factory, self.jobs[name], now=now, owner=self.owner)

    def _fire_logged(self, name: str) -> None:
        try:
            self.fire(name)
        except Exception:  # the lease or the run record failed (database down): next firing
            log.exception("scheduled job %s could not run", name)

    def start(self) -> None:
        runner.ensure_lease_rows(self.factory, list(self.jobs.values()), utcnow())
        background = BackgroundScheduler(timezone=CITY_TZ)
        started = datetime.now(CITY_TZ)
        for spec in self.jobs.values():
            background.add_job(
                self._fire_logged,
                spec.trigger,
                args=[spec.name],
                id=spec.name,
                name=spec.name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=None,
                next_run_time=started,  # catch-up pass at start
            )
        background.start()
        self._background = background
        log.info("scheduler %s started with %d jobs", self.owner, len(self.jobs))

    def shutdown(self) -> None:
        if self._background is not None:
            self._background.shutdown(wait=True)
            self._background = None


def embedded_enabled(settings: Settings) -> bool:
    """The embedded scheduler runs in ``gridgov serve`` unless switched off; tests (mode test)
    start it only when they ask for it explicitly."""
    if settings.scheduler_embedded is not None:
        return settings.scheduler_embedded
    return settings.mode != Mode.TEST


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The app's lifespan: the embedded scheduler runs while the app serves."""
    settings: Settings = app.state.settings
    scheduler: Scheduler | None = None
    if embedded_enabled(settings):
        scheduler = Scheduler(app.state.session_factory)
        scheduler.start()
    app.state.scheduler = scheduler
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.shutdown()
