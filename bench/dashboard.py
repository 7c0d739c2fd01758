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
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.dashboard import aggregates, service
from gridgov.dashboard.repository import DashboardRepository
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.models import Region
from gridgov.models.case import Case

DEPARTMENTS = ("CG", "SZ", "HW", "YL", "GA", "SCJG", "ZJ", "SW", "GD", "HB")
LEADER = Principal(user_id=1, username="bench-leader", role=Role.LEADER)


def add_cases(session: Session, *, count: int, days: int, now: datetime) -> int:
    """Generate the missing cases inside the database (one INSERT … SELECT, no Python loop):
    older cases mostly closed (90 % of them on time), recent ones open, 12 % of the open ones
    past their step deadline; the 1,110 grids, 8 channels and 10 departments drawn at random."""
    have = session.scalar(select(func.count()).select_from(Case)) or 0
    if have >= count:
        return 0
    sqlite = session.get_bind().dialect.name == "sqlite"
    session.execute(text("DROP TABLE IF EXISTS bench_grids"))
    session.execute(
        text(
            "CREATE TABLE bench_grids AS SELECT ROW_NUMBER() OVER (ORDER BY code) - 1 AS k, "
            "code, center_lng, center_lat FROM regions WHERE level = 'grid' AND layer = 'base'"
        )
    )
    session.execute(text("CREATE UNIQUE INDEX ix_bench_grids_k ON bench_grids (k)"))
    grids = session.scalar(text("SELECT count(*) FROM bench_grids"))
    first = (session.scalar(select(func.max(Case.id))) or 0) + 1
    n = count - have
    rand = "(abs(random()) % 1000000) / 1000000.0" if sqlite else "random()"
    epoch = now.timestamp()
    # A grid drawn uniformly: SQLite's CAST truncates, PostgreSQL's rounds (floor it first).
    pick = f"CAST({rand} * {grids} AS INTEGER)" if sqlite else f"floor({rand} * {grids})::int"
    if sqlite:
        series = (
            f"WITH RECURSIVE s(i) AS (SELECT {first} UNION ALL SELECT i + 1 FROM s "
            f"WHERE i < {first + n - 1}),"
        )
        moment = "strftime('%Y-%m-%d %H:%M:%S', {0}, 'unixepoch') || '.000000'"
        source = "s"
    else:
        series = "WITH"
        moment = "to_timestamp({0})"
        source = f"generate_series({first}, {first + n - 1}) AS s(i)"
    channel = " ".join(
        f"WHEN r.c < {limit} THEN '{name}'"
        for name, limit in (("worker_app", 0.55), ("hotline", 0.75), ("web", 0.83),
                            ("open311", 0.89), ("sms", 0.93), ("walk_in", 0.96), ("video", 0.99))
    )  # fmt: skip
    departments = "ARRAY[" + ",".join(f"'{d}'" for d in DEPARTMENTS) + "]"
    department = (
        " ".join(f"WHEN r.d * 10 < {i + 1} THEN '{d}'" for i, d in enumerate(DEPARTMENTS))
        if sqlite
        else None
    )
    department_sql = (
        f"CASE {department} ELSE 'HB' END"
        if sqlite
        else f"({departments})[1 + floor(r.d * 10)::int]"
    )
    # r.age: fraction of the period since the report; finished when r.f < age in 72 h units.
    # Drawn once per case (MATERIALIZED: SQLite would otherwise draw again inside the join).
    sql = f"""
{series} q AS MATERIALIZED (
  SELECT i, {rand} AS age, {rand} AS f, {rand} AS h, {rand} AS o, {rand} AS c, {rand} AS d,
         {pick} AS k FROM {source})
INSERT INTO cases (id, number, channel, department_code, state, priority, description, lng, lat,
  grid_code, step_due_at, supervision_level, rework_count, extension_count, reported_at,
  closed_at, version)
SELECT r.i, 'B' || r.i, CASE {channel} ELSE 'email' END,
  CASE WHEN r.st IN ('reported', 'registered') THEN NULL ELSE {department_sql} END,
  r.st, 'normal', 'bench', g.center_lng + (r.c - 0.5) / 250, g.center_lat + (r.d - 0.5) / 250,
  g.code,
  CASE WHEN r.st IN ('closed', 'cancelled', 'on_hold') THEN NULL
       ELSE {moment.format(f"{epoch} - r.age * {days * 86400} + 3600 * (2 + 94 * r.h)")} END,
  0, CASE WHEN r.h < 0.05 THEN 1 ELSE 0 END, CASE WHEN r.h > 0.97 THEN 1 ELSE 0 END,
  {moment.format(f"{epoch} - r.age * {days * 86400}")},
  CASE WHEN r.st = 'closed' THEN {
        moment.format(
            f"min({epoch} - 60, {epoch} - r.age * {days * 86400} + 3600 * (1 + 69 * r.h))"
            if sqlite
            else f"least({epoch} - 60, {epoch} - r.age * {days * 86400} + 3600 * (1 + 69 * r.h))"
        )
    } END,
  1
FROM (
  SELECT q.*, CASE
    WHEN q.f < q.age * {days * 24} / 72.0 AND q.f < 0.97 THEN
      CASE WHEN q.h < 0.93 THEN 'closed' ELSE 'cancelled' END
    ELSE CASE CAST(q.o * 6 AS INTEGER) WHEN 0 THEN 'reported' WHEN 1 THEN 'registered'
      WHEN 2 THEN 'dispatched' WHEN 3 THEN 'accepted' WHEN 4 THEN 'handled' ELSE 'on_hold' END
  END AS st
  FROM q
) AS r JOIN bench_grids g ON g.k = r.k
"""
    session.execute(text(sql))
    on_time = "(abs(random()) % 10) < 9" if sqlite else "random() < 0.9"
    session.execute(
        text(
            "INSERT INTO case_steps (case_id, step, started_at, finished_at, on_time) "
            f"SELECT id, 'handle', reported_at, closed_at, {on_time} FROM cases "
            f"WHERE id >= {first} AND closed_at IS NOT NULL"
        )
    )
    session.execute(text("DROP TABLE bench_grids"))
    session.commit()
    return n


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """p50 and p95 wall time, and the median CPU time of this process (on SQLite that is the
    query's own work; on a loaded machine the wall time also holds the wait for a core)."""
    samples, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
    return statistics.median(samples), p95, statistics.median(cpu)


def line(label: str, p50: float, p95: float, cpu: float, note: str = "") -> None:
    flag = "" if p95 < 100 else "  ← over 100 ms"
    print(
        f"  {label:<48} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  cpu {cpu:6.1f} ms{flag} {note}",
        flush=True,
    )


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
        # Fresh planner statistics, as a production database keeps them (autovacuum, or
        # PRAGMA optimize on SQLite).
        session.execute(text("ANALYZE"))
        session.commit()
        total = session.scalar(select(func.count()).select_from(Case))
        grids = session.scalar(select(func.count()).where(Region.level == "grid"))
        print(f"  {total:,} cases, {grids:,} grids", flush=True)
        start = time.perf_counter()
        rows = aggregates.refresh_case_days(session, now=now)
        session.commit()
        print(
            f"  daily aggregate (new days only): {rows:,} rows in {time.perf_counter() - start:.2f} s"
        )
        p50, p95, cpu = timed(lambda: aggregates.refresh_open_cases(session, now=now), 3)
        session.commit()
        line("open-case snapshot rebuild (job, every 2 min)", p50, p95, cpu, "(not a page query)")

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
                try:
                    line(label, *timed(fn, runs))
                except DBAPIError as error:  # e.g. a database migrated before a module's tables
                    session.rollback()
                    print(f"  {label:<48} not measured: {str(error.orig).splitlines()[0]}")
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
