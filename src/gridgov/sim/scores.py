"""Demo step: a month of evaluation scores over the simulated case history, patrols and a few
task refusals, as the nightly `evaluation.daily` job would have computed them."""

from __future__ import annotations

import time
from datetime import timedelta

from rich.console import Console

from gridgov.authz.principal import system_principal
from gridgov.evaluation import service
from gridgov.evaluation.scoring import CITY_TZ
from gridgov.kit.clock import utcnow
from gridgov.kit.db import job_session
from gridgov.sim import refusals

DAYS = 30


def demo_step(console: Console) -> None:
    """Score the last 30 days (yesterday back) and show the month's best and worst units."""
    started = time.perf_counter()
    principal = system_principal("evaluation.daily")
    end = utcnow().astimezone(CITY_TZ).date() - timedelta(days=1)
    start = end - timedelta(days=DAYS - 1)
    with job_session() as session:
        refused = refusals.simulate(session, start=start, end=end)
        points = service.score_period(session, principal=principal, start=start, end=end)
        departments = service.scores(
            session,
            principal=principal,
            subject_type="department",
            start=start,
            end=end,
            everyone=True,
        )
        people = service.scores(
            session, principal=principal, subject_type="person", start=start, end=end, everyone=True
        )
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]evaluation: {DAYS} days scored in {elapsed:.1f} s[/green]: {points} points, "
        f"{len(departments)} departments, {len(people)} grid workers (/evaluation); "
        f"{refused.total} task refusals, {refused.unreasoned} without a reason"
    )
    if departments:
        best, worst = departments[0], departments[-1]
        console.print(
            f"  best department {best.subject_id} {best.total:.1f}, "
            f"last {worst.subject_id} {worst.total:.1f}"
        )
