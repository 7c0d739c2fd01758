"""Supervision dashboard benchmark (SQLite and PostgreSQL).

For each database: the reference city (``gridgov sim city``, 1,110 grids, ~746 k persons, ~73 k
facilities) must already be in it; the bench adds ``--cases`` cases (default 1 M) reported over
``--days`` days when fewer are there (bulk insert with a realistic mix of states, channels,
departments, overdue clocks and late steps), then prints:

- the one-time build of the daily aggregate and a rebuild of the open-case snapshot;
- p50/p95 of every dashboard query over ``--runs`` runs, as the leader (whole city) and as a
  district's staff (scope clause on), beside a baseline measured in the same run: the same
  open-case and cases-per-day figures grouped live from the cases table.

Usage:
  gridgov sim city                       # into each database first (GRIDGOV_DATABASE_URL)
  python bench/dashboard.py --sqlite sqlite:////tmp/dashbench/bench.db \\
      --postgres postgresql+psycopg://postgres@127.0.0.1:5432/dashbench [--cases 1000000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.dashboard import aggregates, service
from gridgov.dashboard.repository import DashboardRepository
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.models import Region
from gridgov.models.case import Case, CaseStep

CHANNELS = (
    ("worker_app",) * 55
    + ("hotline",) * 20
    + ("web",) * 8
    + ("open311",) * 6
    + ("sms",) * 4
    + ("walk_in",) * 3
    + ("video",) * 3
    + ("email",)
)
DEPARTMENTS = ("CG", "SZ", "HW", "YL", "GA", "SCJG", "ZJ", "SW", "GD", "HB")
LEADER = Principal(user_id=1, username="bench-leader", role=Role.LEADER)


def add_cases(session: Session, *, count: int, days: int, now: datetime, seed: int = 7) -> int:
    have = session.scalar(select(func.count()).select_from(Case)) or 0
    if have >= count:
        return 0
    rng = random.Random(seed)
    grids = session.execute(
        select(Region.code, Region.center_lng, Region.center_lat).where(
            Region.level == "grid", Region.layer == "base"
        )
    ).all()
    first_id = (session.scalar(select(func.max(Case.id))) or 0) + 1
    batch_cases: list[dict[str, Any]] = []
    batch_steps: list[dict[str, Any]] = []
    for i in range(first_id, first_id + count - have):
        code, lng, lat = grids[rng.randrange(len(grids))]
        reported = now - timedelta(seconds=rng.uniform(0, days * 86400))
        age_h = (now - reported).total_seconds() / 3600
        # Older cases are mostly finished; recent ones mostly open.
        finished = rng.random() < min(0.97, age_h / 72)
        state = (
            ("closed" if rng.random() < 0.93 else "cancelled")
            if finished
            else rng.choice(
                ("reported", "registered", "dispatched", "accepted", "handled", "on_hold")
            )
        )
        due = (
            None
            if finished or state == "on_hold"
            else reported + timedelta(hours=rng.uniform(2, 96))
        )
        closed_at = reported + timedelta(hours=rng.uniform(1, 70)) if state == "closed" else None
        if closed_at is not None and closed_at > now:
            closed_at = now - timedelta(minutes=1)
        batch_cases.append(
            {
                "id": i, "number": f"B{i:09d}", "channel": rng.choice(CHANNELS),
                "category_code": None, "department_code": rng.choice(DEPARTMENTS)
                if state not in ("reported", "registered") else None,
                "state": state, "priority": "normal", "description": "bench",
                "lng": lng + rng.uniform(-0.002, 0.002), "lat": lat + rng.uniform(-0.002, 0.002),
                "grid_code": code, "step_due_at": due, "supervision_level": 0,
                "rework_count": int(rng.random() < 0.05), "extension_count": int(rng.random() < 0.03),
                "reported_at": reported, "closed_at": closed_at, "version": 1,
            }
        )  # fmt: skip
        if closed_at is not None:
            batch_steps.append(
                {"case_id": i, "step": "handle", "started_at": reported, "due_at": None,
                 "finished_at": closed_at, "on_time": rng.random() < 0.9}
            )  # fmt: skip
        if len(batch_cases) >= 20_000:
            _flush(session, batch_cases, batch_steps)
    _flush(session, batch_cases, batch_steps)
    session.commit()
    return count - have


def _flush(session: Session, cases: list[dict[str, Any]], steps: list[dict[str, Any]]) -> None:
    if cases:
        session.execute(insert(Case), cases)
    if steps:
        session.execute(insert(CaseStep), steps)
    cases.clear()
    steps.clear()


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def line(label: str, p50: float, p95: float, note: str = "") -> None:
    flag = "" if p95 < 100 else "  ← over 100 ms"
    print(f"  {label:<52} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{flag} {note}", flush=True)


def baseline_open_by_grid(session: Session, now: datetime) -> list[Any]:
    overdue = func.sum(case((Case.step_due_at < now, 1), else_=0))
    stmt = (
        select(Case.grid_code, func.count(), overdue)
        .where(Case.state.not_in(aggregates.FINISHED_STATES))
        .group_by(Case.grid_code)
    )
    return session.execute(stmt).all()


def baseline_cases_per_day(session: Session, now: datetime, days: int) -> list[Any]:
    day = aggregates.local_day(session, Case.reported_at)
    stmt = (
        select(day, Case.channel, func.count())
        .where(Case.reported_at >= now - timedelta(days=days))
        .group_by(day, Case.channel)
    )
    return session.execute(stmt).all()


def bench(url: str, *, cases: int, days: int, runs: int) -> None:
    print(f"\n== {url.split('@')[-1]}", flush=True)
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        start = time.perf_counter()
        added = add_cases(session, count=cases, days=days, now=now)
        if added:
            print(f"  added {added:,} cases in {time.perf_counter() - start:.1f} s", flush=True)
        total = session.scalar(select(func.count()).select_from(Case))
        grids = session.scalar(select(func.count()).where(Region.level == "grid"))
        print(f"  {total:,} cases, {grids:,} grids", flush=True)
        start = time.perf_counter()
        rows = aggregates.refresh_case_days(session, now=now)
        session.commit()
        print(
            f"  daily aggregate (new days only): {rows:,} rows in {time.perf_counter() - start:.2f} s"
        )
        p50, p95 = timed(lambda: aggregates.refresh_open_cases(session, now=now), 3)
        session.commit()
        line("open-case snapshot rebuild (every 2 min at most)", p50, p95, "(not a page query)")

        district = session.scalar(select(Region.code).where(Region.level == "district"))
        street = session.scalar(select(Region.code).where(Region.level == "street"))
        community = session.scalar(select(Region.code).where(Region.level == "community"))
        grid = session.scalar(select(Region.code).where(Region.level == "grid"))
        staff = Principal(user_id=2, username="bench-district", role=Role.DISTRICT_STAFF,
                          region_code=district)  # fmt: skip
        today = aggregates.local_today(now)
        since30 = today - timedelta(days=29)
        for who, principal in (("leader", LEADER), ("district staff", staff)):
            repo = DashboardRepository(session, principal)
            queries: list[tuple[str, Callable[[], Any]]] = [
                ("overview (whole request)",
                 lambda p=principal: service.overview(session, principal=p, now=now)),
                ("  population totals", lambda r=repo: r.population_totals(None)),
                ("  open / overdue totals", lambda r=repo: r.open_totals(None)),
                ("  30 finished days by channel and totals", lambda r=repo: r.days(since30, None)),
                ("  today live", lambda r=repo: r.today(aggregates.day_start(today), None)),
                ("  overdue by department", lambda r=repo: r.overdue_by_department(None)),
                ("  department ranking", lambda r=repo: r.department_closures(since30, None)),
                ("map: districts by persons", lambda p=principal: service.region_values(
                    session, principal=p, indicator="persons", now=now)),
                ("map: communities of a street by facilities", lambda p=principal: service.region_values(
                    session, principal=p, indicator="facilities", parent=street, now=now)),
                ("map: grids of a community by overdue cases", lambda p=principal: service.region_values(
                    session, principal=p, indicator="overdue_cases", parent=community, now=now)),
                ("layer: cameras (all points)", lambda p=principal: service.facility_layer(
                    session, principal=p, kind="camera")),
                ("layer: street lamps (all points)", lambda p=principal: service.facility_layer(
                    session, principal=p, kind="street_lamp")),
                ("layer: open-case heat", lambda p=principal: service.case_heat(
                    session, principal=p, now=now)),
                ("grid panel", lambda p=principal: service.grid_panel(
                    session, principal=p, code=grid, now=now)),
                ("score ranking (evaluation)", lambda p=principal: service.score_ranking(
                    session, principal=p, now=now)),
            ]  # fmt: skip
            print(f"  -- as {who}")
            for label, fn in queries:
                line(label, *timed(fn, runs))
            session.rollback()
        print("  -- baseline: the same figures grouped live from the cases table")
        line(
            "open and overdue per grid, live",
            *timed(lambda: baseline_open_by_grid(session, now), 5),
        )
        line(
            "30 days by channel, live", *timed(lambda: baseline_cases_per_day(session, now, 30), 5)
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sqlite", default="sqlite:////tmp/dashbench/bench.db")
    parser.add_argument(
        "--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/dashbench"
    )
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    args = parser.parse_args()
    for name, url in (("sqlite", args.sqlite), ("postgres", args.postgres)):
        if args.only in (None, name):
            bench(url, cases=args.cases, days=args.days, runs=args.runs)


if __name__ == "__main__":
    main()
