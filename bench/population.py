"""Population base benchmark.

For SQLite and (with ``GRIDGOV_BENCH_PG`` or ``--pg URL``) PostgreSQL, on the reference city's
grids (1,110):

- import rate (rows/s) of ``gridgov import persons`` (check + load in one transaction) for a
  100 k and an 800 k person file (CSV, with households and houses),
- search latency p50/p95 on the 800 k base, city-wide caller: name (Chinese, partial),
  pinyin (prefix), ID number (exact, through the lookup hash), phone,
- the people page's city-wide searches (``/people?q=zhang``, ``?tag=elderly_alone``, a rare tag):
  its query (pinyin order, counted up to 10,000) against the baseline of the query before
  (name order, the whole city counted, target under 500 ms),
- the per-grid / community / street / district count query (``population_counts``) and the
  full statistics refresh,
- optionally (``--sim N``, or only that with ``--sim-only``) ``gridgov sim city`` for the whole
  reference city, N times, with the time of each phase (regions, facilities, population,
  indexes, statistics, commit).

Usage: python bench/population.py [--sizes 100000,800000] [--queries 200] [--sim N] [--sim-only]
       [--pg URL] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.people import service
from gridgov.people.identifiers import make_resident_id
from gridgov.people.importer import import_persons, read_rows
from gridgov.people.pages import COUNT_CAP, PAGE_SIZE
from gridgov.people.repository import PersonFilters, prefix
from gridgov.people.stats import population_counts, refresh_grid_stats
from gridgov.sim.city import build_city
from gridgov.sim.names import random_names

GRIDS = 1110
CITY_CALLER = Principal(user_id=0, username="bench", role=Role.LEADER)


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<46} {value:>16}   {note}", flush=True)


def fresh_url(backend: str, pg_base: str | None, workdir: Path, name: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{workdir / (name + '.db')}"
    assert pg_base
    from sqlalchemy import make_url

    db = f"gridgov_bench_{name}_{os.getpid()}"
    admin = create_engine(pg_base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    admin.dispose()
    return make_url(pg_base).set(database=db).render_as_string(hide_password=False)


def drop_pg(pg_base: str, url: str) -> None:
    from sqlalchemy import make_url

    admin = create_engine(pg_base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def city_database(url: str) -> list[tuple[str, str]]:
    """Migrate and build the reference city's regions (no population); grid codes + names."""
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=GRIDS, seed=1, with_population=False)
        session.commit()
        grids = list(
            session.execute(
                select(Region.code, Region.name).where(Region.level == "grid").order_by(Region.code)
            )
        )
    engine.dispose()
    return [(code, name) for code, name in grids]


def write_persons_csv(path: Path, rows: int, grids: list[tuple[str, str]], seed: int) -> None:
    """A realistic person file: households of 1–6 in houses, ~20 % floating, valid IDs."""
    rng = random.Random(seed)
    import numpy as np

    gen = np.random.default_rng(seed)
    used: set[str] = set()
    today = date.today()
    provinces = ("410105", "430102", "500103", "510104", "360102", "340102", "440106")
    written = 0
    household = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "身份证号",
                "姓名",
                "联系电话",
                "网格编码",
                "户号",
                "与户主关系",
                "房屋地址",
                "人口类型",
                "标签",
            ]
        )
        while written < rows:
            grid = grids[household % len(grids)][0]
            household += 1
            size = min(rows - written, rng.choice((1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 5, 6)))
            floating = rng.random() < 0.2
            address_code = rng.choice(provinces) if floating else grid[:6]
            house = f"宜昌市基准路{household // 24 + 1}号{household % 24 // 6 + 1}单元{household % 6 + 1}01"
            sexes = ["M" if rng.random() < 0.5 else "F" for _ in range(size)]
            names = random_names(gen, sexes)
            for i in range(size):
                while True:
                    birth = today - timedelta(days=rng.randint(0, 95 * 365))
                    seq = rng.randrange(0, 500) * 2 + (1 if sexes[i] == "M" else 0)
                    number = make_resident_id(address_code, birth, seq)
                    if number not in used:
                        used.add(number)
                        break
                age = (today - birth).days // 365
                writer.writerow(
                    [
                        number,
                        names[i],
                        f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"
                        if age >= 14
                        else "",
                        grid,
                        f"B{household:09d}",
                        "户主" if i == 0 else rng.choice(("配偶", "子女", "父母")),
                        house,
                        "流动" if floating else "户籍",
                        "独居老人" if size == 1 and age >= 60 else "",
                    ]
                )
            written += size


def bench_import(url: str, path: Path, rows: int, label: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        started = time.perf_counter()
        report = import_persons(
            session, principal=None, rows=read_rows(path), commit=True, reason="bench"
        )
        session.commit()
        elapsed = time.perf_counter() - started
    engine.dispose()
    assert report.persons_created == rows, (report.persons_created, report.errors[:3])
    line(
        f"import {rows:,} persons ({label})",
        f"{rows / elapsed:10,.0f} rows/s",
        f"{elapsed:.1f} s incl. check, households, houses, stats, commit",
    )


def _percentiles(samples: list[float]) -> str:
    samples = sorted(samples)
    p50 = statistics.median(samples) * 1000
    p95 = samples[int(len(samples) * 0.95) - 1] * 1000
    return f"p50 {p50:6.1f} ms, p95 {p95:6.1f} ms"


def bench_search(url: str, queries: int, path: Path) -> None:
    rng = random.Random(5)
    with path.open(encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        sample = [row for _, row in zip(range(200_000), reader, strict=False)]
    picks = [rng.choice(sample) for _ in range(queries)]
    engine = make_engine(url)
    page = PageParams(limit=20, offset=0)
    with Session(engine) as session:
        from gridgov.people.text import name_pinyin

        kinds = {
            "name box: full name": lambda row: PersonFilters(q=row[1]),
            "name box: given name (partial)": lambda row: PersonFilters(q=row[1][1:]),
            "name box: surname": lambda row: PersonFilters(q=row[1][:1]),
            "pinyin (prefix)": lambda row: PersonFilters(q=name_pinyin(row[1])[0][:7]),
            "pinyin initials": lambda row: PersonFilters(q=name_pinyin(row[1])[1]),
            "ID number (exact)": lambda row: PersonFilters(q=row[0]),
            "phone (exact)": lambda row: PersonFilters(q=row[2] or "13800000000"),
            "name filter, any character (scan)": lambda row: PersonFilters(name=row[1][-1:]),
        }
        for label, make in kinds.items():
            times = []
            for row in picks:
                filters = make(row)
                started = time.perf_counter()
                service.list_persons(session, principal=CITY_CALLER, filters=filters, page=page)
                times.append(time.perf_counter() - started)
            line(f"search {label}", _percentiles(times), "city-wide, first page + total")
        grid_caller = Principal(
            user_id=0, username="bench", role=Role.GRID_WORKER, region_code=picks[0][3]
        )
        times = []
        for row in picks[:100]:
            started = time.perf_counter()
            service.list_persons(
                session, principal=grid_caller, filters=PersonFilters(q=row[1][:1]), page=page
            )
            times.append(time.perf_counter() - started)
        line("search surname in own grid (grid worker)", _percentiles(times))
        bench_people_page(session)
    engine.dispose()


def _before(filters: PersonFilters) -> Any:
    """The people page's query before issue 10: name order, tags by LIKE over every row."""
    stmt = select(Person)
    if filters.q:
        letters = filters.q.lower()
        stmt = stmt.where(
            prefix(Person.name_pinyin, letters) | prefix(Person.name_initials, letters)
        )
    if filters.tag:
        stmt = stmt.where(Person.tag_codes.like(f"%,{filters.tag},%"))
    return stmt.order_by(Person.name, Person.id)


def bench_people_page(session: Session) -> None:
    """``/people?q=zhang`` and ``?tag=…`` city-wide: the page's query (as ``people.pages`` runs
    it) and the baseline of the query before, in the same run."""
    page = PageParams(limit=PAGE_SIZE, offset=0)
    for label, filters in (
        ("q=zhang", PersonFilters(q="zhang")),
        ("tag=elderly_alone", PersonFilters(tag="elderly_alone")),
        ("tag=drug_user (rare)", PersonFilters(tag="drug_user")),
    ):
        now, before = [], []
        for _ in range(10):
            started = time.perf_counter()
            service.list_persons(
                session, principal=CITY_CALLER, filters=filters, page=page, count_cap=COUNT_CAP
            )
            now.append(time.perf_counter() - started)
            started = time.perf_counter()
            paginate(session, _before(filters), page)
            before.append(time.perf_counter() - started)
        ratio = statistics.median(before) / statistics.median(now)
        line(
            f"/people?{label}",
            _percentiles(now),
            f"baseline (name order, whole city counted) {_percentiles(before)}: {ratio:.0f}x",
        )


def bench_counts(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        codes = list(session.scalars(select(Region.code).where(Region.level != "overlay")))
        grids = [c for c in codes if len(c) == 15]
        persons = session.scalar(select(func.count()).select_from(Person))
        times = []
        for _ in range(30):
            started = time.perf_counter()
            counts = population_counts(session, region_codes=grids)
            times.append(time.perf_counter() - started)
        line("counts, all 1,110 grids", _percentiles(times), f"{persons:,} persons")
        times = []
        for _ in range(30):
            started = time.perf_counter()
            counts = population_counts(session, region_codes=[*codes, ""])
            times.append(time.perf_counter() - started)
        line(
            "counts, every grid/community/street/district",
            _percentiles(times),
            f"{len(codes)} regions, city {counts[''].persons:,} persons",
        )
        started = time.perf_counter()
        refresh_grid_stats(session)
        session.commit()
        line("refresh all grid statistics from persons", f"{time.perf_counter() - started:8.2f} s")
    engine.dispose()


class PhaseTimer:
    """A progress sink of ``build_city`` that records how long each phase takes."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = {}
        self.current = ""
        self.started = time.perf_counter()

    def start(self, phase: str, total: int) -> None:
        self.stop()
        self.current, self.started = phase, time.perf_counter()

    def advance(self, amount: int = 1) -> None:
        pass

    def stop(self) -> None:
        if self.current:
            self.phases[self.current] = time.perf_counter() - self.started
            self.current = ""


def bench_sim(url: str) -> None:
    """The whole reference city as ``gridgov sim city`` builds it (regions, facilities,
    population) into the empty database at ``url``, phase by phase."""
    upgrade(url)
    engine = make_engine(url)
    timer = PhaseTimer()
    started = time.perf_counter()
    with Session(engine) as session:
        summary = build_city(session, grids=GRIDS, seed=1, progress=timer)
        timer.start("commit", 1)
        session.commit()
        timer.stop()
    elapsed = time.perf_counter() - started
    engine.dispose()
    line(
        "synthetic city (gridgov sim city)",
        f"{elapsed:8.1f} s",
        f"{summary.persons:,} persons, {summary.households:,} households: "
        + ", ".join(f"{phase} {seconds:.1f}" for phase, seconds in timer.phases.items()),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,800000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--sim", type=int, default=0, metavar="N", help="also time sim city N times"
    )
    parser.add_argument("--sim-only", action="store_true", help="time sim city only")
    parser.add_argument("--pg", default=os.environ.get("GRIDGOV_BENCH_PG"))
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    # Dropping a benchmark database under the audit sealer's idle connection is expected here.
    logging.getLogger("gridgov.audit.chain").setLevel(logging.CRITICAL)
    sizes = [] if args.sim_only else [int(s) for s in args.sizes.split(",")]
    sim_runs = max(args.sim, 1) if args.sim_only else args.sim
    backends = [b for b in args.backends.split(",") if b == "sqlite" or args.pg]
    with tempfile.TemporaryDirectory(prefix="gridgov-bench-") as tmp:
        workdir = Path(tmp)
        files = {}
        if sizes:
            print("Preparing person files …", flush=True)
            template = city_database(f"sqlite:///{workdir / 'template.db'}")
            for size in sizes:
                files[size] = workdir / f"persons_{size}.csv"
                write_persons_csv(files[size], size, template, seed=size)
        for backend in backends:
            print(f"\n{backend}", flush=True)
            for size in sizes:
                url = fresh_url(backend, args.pg, workdir, f"import{size}")
                city_database(url)
                bench_import(url, files[size], size, backend)
                if size == max(sizes):
                    bench_search(url, args.queries, files[size])
                    bench_counts(url)
                if backend == "postgresql":
                    drop_pg(args.pg, url)
            for run in range(sim_runs):
                url = fresh_url(backend, args.pg, workdir, f"sim{run}")
                bench_sim(url)
                if backend == "postgresql":
                    drop_pg(args.pg, url)


if __name__ == "__main__":
    sys.exit(main())
