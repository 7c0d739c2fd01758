"""Case intake benchmark (PostgreSQL).

Prints, in one run on one machine and one database:
- ``POST /api/v1/cases`` through the full path (bearer auth, validation, grid lookup, deadline on
  the working-time calendar, duplicate check, case + trail entry, one commit) with
  ``--concurrency`` clients against a real uvicorn server: requests/s and p50/p95/p99;
- ``GET /api/v1/auth/me`` (the cheapest authenticated request) on the same server;
- a bare FastAPI endpoint that does only the same ``INSERT INTO cases`` (psycopg, one commit per
  request), served the same way — and the ratios full / bare and /auth/me / bare;
- for reference, "lean": the statements an intake sends (duplicate look-up, case, trail entry,
  one commit) through psycopg in the bare app — the database work without gridgov's layers.
  The four run interleaved, ``--rounds`` times each, against the two servers running side by
  side (jobs off in both), so the machine's other work reaches them alike;
- the same insert done directly with psycopg from ``--concurrency`` threads (no HTTP);
- the time to compute the overdue set over ``--overdue-cases`` cases (default 1 M).

Each HTTP figure also gives the servers' CPU time per request (uvicorn and its workers, from
/proc): on a shared machine it moves far less than req/s.

Targets (issue 16), as ratios in the same run: ``GET /auth/me`` >= 0.7 x bare; full intake >=
0.5 x bare with p99 < 50 ms at 16 clients. Figures on the shared 2-core machine (other agents'
work and test runs: absolute numbers move by 50 % between runs, and a ratio moves with the load
during each third of a run; compare within a run, and the CPU per request):

    2026-12-06 04:47, before (pool_pre_ping, API routers behind page routers)
      full intake 116 req/s (p99 447 ms), /auth/me 279 req/s, bare 659 req/s (p99 109 ms)
      -> full/bare 0.18, me/bare 0.42
    2026-12-06 05:50, after (poll() instead of pre-ping, API routers first)
      full intake 155 req/s (p99 527 ms), /auth/me 399 req/s, bare 1072 req/s (p99 89 ms)
      -> full/bare 0.14, me/bare 0.37 (the bare run got the quieter minutes)
    2026-12-06 08:07, before the second round (--requests 2000 --overdue-cases 100000)
      full 134 req/s (p99 470 ms), /auth/me 331 req/s, bare 764 req/s -> 0.18, 0.43
    2026-12-06 09:20 and 09:27, the same code (main), with CPU per request
      full 94 req/s (p99 644 ms, 5.75 ms CPU), /auth/me 241 (2.49 ms), bare 287 (1.03 ms)
      -> full/bare 0.33, me/bare 0.84 (load 9, a test run beside it)
      full 174 req/s (p99 289 ms, 5.32 ms CPU), /auth/me 729 (2.04 ms), bare 877 (0.79 ms)
      -> full/bare 0.20, me/bare 0.83
    2026-12-06 09:25-09:28, after the second round (caller remembered per process, one thread
    hop per request, Core INSERTs for the case and the first trail entry), three runs:
      full 264 req/s (p99 177 ms, 3.36 ms CPU), /auth/me 1009 (1.33 ms), bare 874 (0.68 ms)
      -> full/bare 0.30, me/bare 1.16
      full 255 req/s (p99 201 ms, 4.11 ms CPU), /auth/me 712 (1.69 ms), bare 1282 (0.76 ms)
      -> full/bare 0.20, me/bare 0.56
      full 297 req/s (p99 197 ms, 3.64 ms CPU), /auth/me 678 (1.54 ms), bare 979 (0.85 ms)
      -> full/bare 0.30, me/bare 0.69
    Server CPU per request fell by about a third (intake 5.3-5.8 -> 3.4-4.1 ms, /auth/me
    2.0-2.5 -> 1.3-1.7 ms; bare 0.7-1.0 ms). /auth/me met its ratio in one run of three (and
    in a fourth beside a test run), missed it in two; intake (0.5 x bare, p99 < 50 ms) is
    missed in every run. See docs/operations.md (speed of the request path).
    2026-12-06 12:19, third round (one hop per hot route, /auth/me answered from the caller's
    facts), interleaved rounds, quiet machine (load 0.8-2.9):
      full 411 req/s (p99 106 ms, 3.20 ms CPU), /auth/me 2344 (0.57 ms), bare 1575 (0.65 ms),
      lean (intake's statements through psycopg) 1179 (0.86 ms)
      -> full/bare 0.26 (missed), me/bare 1.49 (met); under load 9: 0.25 and 1.22.

Usage: python bench/cases.py [--requests 3000] [--concurrency 16] [--rounds 5] [--workers 2] [--grids 1110]
       [--overdue-cases 1000000] [--database-url postgresql+psycopg://postgres@127.0.0.1/test]
The database URL names a server and an existing database to connect to; the bench creates its
own database next to it and drops it at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import io
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from pydantic import BaseModel
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "Case-Speed-2026!"
CATEGORIES = ("E0102", "E0103", "E0201", "E0502", "E0503", "C0106", "C0102", "E0303")
BENCH_DIR = Path(__file__).resolve().parent

INSERT_SQL = """
INSERT INTO cases (number, channel, category_code, department_code, state, priority,
  description, lng, lat, grid_code, reporter_name_masked, reporter_phone_masked, step,
  step_started_at, step_due_at, step_warn_at, supervision_level, rework_count, extension_count,
  reported_at, version)
VALUES (%(number)s, 'hotline', %(category_code)s, 'HW', 'reported', 'normal', %(description)s,
  %(lng)s, %(lat)s, %(grid_code)s, '王**', '138****5678', 'register', now(),
  now() + interval '1 hour', now() + interval '42 minutes', 0, 0, 0, now(), 1)
RETURNING id
"""


# The database work of an intake, as gridgov sends it: the duplicate look-up, the case, its trail
# entry (the "lean" endpoint: the same statements without gridgov's layers).
DUPLICATES_SQL = """
SELECT id, number, state, category_code, description, address, lng, lat, grid_code, reported_at
FROM cases WHERE category_code = %(category_code)s
  AND lat BETWEEN %(lat)s - 0.0005 AND %(lat)s + 0.0005
  AND lng BETWEEN %(lng)s - 0.0006 AND %(lng)s + 0.0006
  AND state IN ('accepted', 'dispatched', 'handled', 'on_hold', 'registered', 'reported',
    'verified')
ORDER BY (lat - %(lat)s) * (lat - %(lat)s) + (lng - %(lng)s) * (lng - %(lng)s), id DESC LIMIT 5
"""
TRAIL_SQL = """
INSERT INTO audit_entries (at, user_id, username, role, action, object_type, object_id, outcome,
  channel, request_id, after, entry_hash)
VALUES (now(), 1, 'benchclerk', 'intake_clerk', 'case.report', 'case', %(case_id)s, 'success',
  'api', %(request_id)s, %(after)s, %(entry_hash)s)
RETURNING id
"""


def line(label: str, value: str, extra: str = "") -> None:
    print(f"  {label:<46} {value:>16}   {extra}", flush=True)


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# --- the bare endpoint (served by uvicorn from this file) ------------------------------------


class Body(BaseModel):
    category_code: str
    description: str
    lng: float
    lat: float
    grid_code: str


def create_bare_app():  # type: ignore[no-untyped-def]
    """A FastAPI app doing nothing but the insert (one psycopg connection per thread)."""
    from fastapi import FastAPI

    dsn = os.environ["BENCH_DSN"]
    local = threading.local()
    app = FastAPI()

    def connection() -> psycopg.Connection:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = psycopg.connect(dsn)
        return conn

    @app.post("/bare/cases", status_code=201)
    def insert(body: Body) -> dict[str, Any]:
        conn = connection()
        with conn.cursor() as cur:
            cur.execute(INSERT_SQL, {**body.model_dump(), "number": uuid.uuid4().hex[:16]})
            row = cur.fetchone()
        conn.commit()
        return {"id": row[0] if row else None}

    @app.post("/lean/cases", status_code=201)
    def lean(body: Body) -> dict[str, Any]:
        conn = connection()
        values = body.model_dump()
        with conn.cursor() as cur:
            cur.execute(DUPLICATES_SQL, values)
            duplicates = cur.fetchall()
            cur.execute(INSERT_SQL, {**values, "number": uuid.uuid4().hex[:16]})
            row = cur.fetchone()
            case_id = str(row[0]) if row else ""
            after = json.dumps({"number": case_id, "channel": "hotline", "grid": body.grid_code})
            digest = hashlib.sha256(f"{case_id}{after}".encode()).hexdigest()
            request_id = uuid.uuid4().hex
            cur.execute(
                TRAIL_SQL,
                {
                    "case_id": case_id,
                    "request_id": request_id,
                    "after": after,
                    "entry_hash": digest,
                },
            )
        conn.commit()
        return {"id": case_id, "duplicates": len(duplicates)}

    return app


# --- helpers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(target: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            target,
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--app-dir",
            str(BENCH_DIR),
        ],
        env={**os.environ, **env},
    )
    deadline = time.monotonic() + 180  # a loaded machine takes a while to import the app
    while time.monotonic() < deadline and server.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/openapi.json")
            conn.getresponse().read()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"server {target} did not start")


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) of the uvicorn process and its workers so far (Linux /proc):
    CPU per request does not move with the other work on a shared machine as much as req/s."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(stat.parent.name), int(fields[1])
        if server.pid in (pid, ppid):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def load(
    port: int,
    path: str,
    bodies: list[dict[str, Any]] | list[None],
    headers: dict[str, str],
    concurrency: int,
) -> tuple[float, list[float]]:
    """POST every body (GET for None) with ``concurrency`` keep-alive clients;
    returns (elapsed s, latencies s)."""
    latencies: list[float] = []
    chunks = [bodies[i::concurrency] for i in range(concurrency)]

    def client(chunk: list[Any]) -> list[float]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for body in chunk:
            started = time.perf_counter()
            if body is None:
                conn.request("GET", path, headers=headers)
            else:
                conn.request(
                    "POST",
                    path,
                    body=json.dumps(body).encode(),
                    headers={**headers, "Content-Type": "application/json"},
                )
            response = conn.getresponse()
            data = response.read()
            mine.append(time.perf_counter() - started)
            if response.status not in (200, 201):
                raise RuntimeError(f"{path}: {response.status} {data[:300]!r}")
        conn.close()
        return mine

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for result in pool.map(client, chunks):
            latencies.extend(result)
    return time.perf_counter() - started, latencies


# --- setup ---------------------------------------------------------------------------------


def create_database(admin_url: str) -> str:
    name = f"gridgov_bench_cases_{os.getpid()}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def prepare(url: str, grids: int) -> list[tuple[float, float, str]]:
    """Migrate, generate the city, create the clerk; returns points inside grids."""
    from gridgov.auth import service as auth_service
    from gridgov.auth.schemas import UserCreate
    from gridgov.authz.principal import Role
    from gridgov.config import Mode, Settings
    from gridgov.grids.geometry import from_geojson
    from gridgov.grids.repository import RegionRepository
    from gridgov.kit.db import make_engine
    from gridgov.kit.migrations import upgrade
    from gridgov.sim.city import build_city

    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=grids, seed=1, with_population=False)
        auth_service.create_user(
            session,
            user_in=UserCreate(
                username="benchclerk",
                role=Role.INTAKE_CLERK,
                password=PASSWORD,
                must_change_password=False,
            ),
            settings=Settings(mode=Mode.TEST, database_url=url),
        )
        session.commit()
        points = []
        for code, geometry in RegionRepository(session).all_grids():
            point = from_geojson(geometry).representative_point()
            points.append((point.x, point.y, code))
    engine.dispose()
    return points


def bodies_for(points: list[tuple[float, float, str]], n: int, *, bare: bool) -> list[dict]:
    rng = random.Random(7)
    bodies = []
    for i in range(n):
        lng, lat, code = points[rng.randrange(len(points))]
        body: dict[str, Any] = {
            "category_code": rng.choice(CATEGORIES),
            "description": f"压测案件 {i}：路边暴露垃圾，请及时清运",
            "lng": lng + rng.uniform(-1e-6, 1e-6),
            "lat": lat + rng.uniform(-1e-6, 1e-6),
        }
        if bare:
            body["grid_code"] = code
        else:
            body.update(channel="hotline", reporter_name="王小明", reporter_phone="13812345678")
        bodies.append(body)
    return bodies


# --- the benchmarks ------------------------------------------------------------------------


def bench_http(
    url: str, points: list, requests: int, concurrency: int, workers: int, rounds: int
) -> None:
    """Full intake, ``/auth/me`` and the bare insert, interleaved: both servers run side by side
    and each round loads one after the other, so a change in the machine's other work reaches
    all three alike (on a shared machine a run of one after a run of the other compares
    minutes, not code)."""
    env = {
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_MODE": "demo",
        # Scheduled jobs run in `gridgov jobs worker` beside the servers, as in production: the
        # bench measures the request path, not a catch-up of every job on a new database.
        "GRIDGOV_SCHEDULER_EMBEDDED": "false",
        "BENCH_DSN": libpq(url),
    }
    full_server, full_port = start_server("gridgov.app:create_app", env, workers)
    bare_server, bare_port = start_server("cases:create_bare_app", env, workers)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", full_port, timeout=30)
        conn.request(
            "POST",
            "/api/v1/auth/token",
            body=json.dumps({"username": "benchclerk", "password": PASSWORD}),
            headers={"Content-Type": "application/json"},
        )
        token = json.loads(conn.getresponse().read())["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        runs = {
            # name: (server, port, path, headers, bodies of the whole run)
            "full": (
                full_server,
                full_port,
                "/api/v1/cases",
                auth,
                bodies_for(points, requests, bare=False),
            ),
            "me": (full_server, full_port, "/api/v1/auth/me", auth, [None] * requests),
            "bare": (
                bare_server,
                bare_port,
                "/bare/cases",
                {},
                bodies_for(points, requests, bare=True),
            ),
            "lean": (
                bare_server,
                bare_port,
                "/lean/cases",
                {},
                bodies_for(points, requests, bare=True),
            ),
        }
        for name, (_, port, path, headers, _) in runs.items():  # warm-up
            warm = [None] * 300 if name == "me" else bodies_for(points, 300, bare=name != "full")
            load(port, path, warm, headers, concurrency)
        elapsed = dict.fromkeys(runs, 0.0)
        cpu = dict.fromkeys(runs, 0.0)
        latencies: dict[str, list[float]] = {name: [] for name in runs}
        for r in range(rounds):
            for name, (server, port, path, headers, bodies) in runs.items():
                before = server_cpu_seconds(server)
                took, lat = load(port, path, bodies[r::rounds], headers, concurrency)
                cpu[name] += server_cpu_seconds(server) - before
                elapsed[name] += took
                latencies[name].extend(lat)
    finally:
        for server in (full_server, bare_server):
            server.terminate()
            server.wait(15)
    rate = {name: len(latencies[name]) / elapsed[name] for name in runs}
    labels = {
        "full": f"POST /api/v1/cases full path ({concurrency} clients)",
        "me": "GET /api/v1/auth/me (auth only)",
        "bare": f"bare FastAPI insert ({concurrency} clients)",
        "lean": "  for reference: intake's statements, bare FastAPI",
    }
    for name in ("full", "me", "bare", "lean"):
        lat = latencies[name]
        line(
            labels[name],
            f"{rate[name]:8.0f} req/s",
            f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms, p99 {pct(lat, 99):.1f} ms; "
            f"server CPU {cpu[name] * 1000 / len(lat):.2f} ms/request",
        )
    me_ratio = rate["me"] / rate["bare"]
    line(
        "ratio GET /auth/me / bare",
        f"{me_ratio:8.2f}",
        f"target >= 0.70 {'OK' if me_ratio >= 0.7 else 'MISSED'}",
    )
    ratio = rate["full"] / rate["bare"]
    p99 = pct(latencies["full"], 99)
    line(
        "ratio full / bare",
        f"{ratio:8.2f}",
        f"target >= 0.50 {'OK' if ratio >= 0.5 else 'MISSED'}; "
        f"full p99 {p99:.1f} ms, target < 50 ms {'OK' if p99 < 50 else 'MISSED'}",
    )


def bench_raw(url: str, points: list, requests: int, concurrency: int) -> None:
    dsn = libpq(url)
    bodies = bodies_for(points, requests, bare=True)
    chunks = [bodies[i::concurrency] for i in range(concurrency)]

    def worker(chunk: list[dict[str, Any]]) -> None:
        with psycopg.connect(dsn) as conn:
            for body in chunk:
                with conn.cursor() as cur:
                    cur.execute(INSERT_SQL, {**body, "number": uuid.uuid4().hex[:16]})
                conn.commit()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, chunks))
    elapsed = time.perf_counter() - started
    line(
        f"raw psycopg insert ({concurrency} threads)",
        f"{requests / elapsed:8.0f} rows/s",
        "one commit per row, no HTTP",
    )


def bench_overdue(url: str, points: list, total: int) -> None:
    """Fill the table to ``total`` cases (COPY), then time the overdue set query."""
    from gridgov.cases.repository import CaseRepository
    from gridgov.kit.db import make_engine

    dsn = libpq(url)
    rng = random.Random(11)
    now = datetime.now(UTC)
    with psycopg.connect(dsn) as conn:
        existing = conn.execute("SELECT count(*) FROM cases").fetchone()[0]  # type: ignore[index]
        missing = max(0, total - existing)
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY cases (number, channel, category_code, department_code, state, priority, "
                "description, lng, lat, grid_code, step, step_due_at, step_warn_at, "
                "supervision_level, rework_count, extension_count, reported_at, version) FROM STDIN"
            ) as copy,
        ):
            buffer = io.StringIO()
            for i in range(missing):
                lng, lat, code = points[i % len(points)]
                reported = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
                open_case = rng.random() < 0.25
                if open_case:
                    due = now + timedelta(minutes=rng.randrange(-6000, 6000))
                    warn = due - timedelta(minutes=72)
                    row = (
                        f"O{i:015d}\thotline\tE0102\tHW\tdispatched\tnormal\t压测\t{lng}\t{lat}"
                        f"\t{code}\thandle\t{due.isoformat()}\t{warn.isoformat()}\t0\t0\t0"
                        f"\t{reported.isoformat()}\t1\n"
                    )
                else:
                    row = (
                        f"O{i:015d}\thotline\tE0102\tHW\tclosed\tnormal\t压测\t{lng}\t{lat}"
                        f"\t{code}\t\\N\t\\N\t\\N\t0\t0\t0\t{reported.isoformat()}\t1\n"
                    )
                buffer.write(row)
                if buffer.tell() > 4_000_000:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.commit()
        load_time = time.perf_counter() - started
        # What autovacuum does after a bulk load: statistics and the visibility map (index-only
        # scans of the due-time index).
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE cases")
    line("load cases for the overdue test (COPY)", f"{load_time:8.1f} s", f"{total:,} cases")
    engine = make_engine(url)
    with Session(engine) as session:
        repo = CaseRepository(session)
        repo.overdue_ids(now)  # warm
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            ids = repo.overdue_ids(datetime.now(UTC))
            timings.append(time.perf_counter() - started)
        started = time.perf_counter()
        count = repo.count_overdue(datetime.now(UTC))
        count_time = time.perf_counter() - started
    engine.dispose()
    line(
        f"overdue set over {total:,} cases",
        f"{min(timings) * 1000:8.1f} ms",
        f"{len(ids):,} overdue ids fetched (median {statistics.median(timings) * 1000:.1f} ms); "
        f"count only {count_time * 1000:.1f} ms ({count:,})",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=5, help="interleaved rounds of full, /auth/me and bare"
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers for both apps")
    parser.add_argument("--grids", type=int, default=1110)
    parser.add_argument("--overdue-cases", type=int, default=1_000_000)
    parser.add_argument("--overdue-only", action="store_true", help="skip the HTTP runs")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("GRIDGOV_BENCH_DATABASE_URL", DEFAULT_URL),
        help="PostgreSQL server (and a database to connect to) where the bench database is made",
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("bench/cases.py needs PostgreSQL (--database-url postgresql+psycopg://…)")
    url = create_database(args.database_url)
    print(
        f"gridgov case bench — PostgreSQL, {args.grids} grids, {os.cpu_count()} cores, "
        f"{args.workers} uvicorn workers, {args.requests} requests per run",
        flush=True,
    )
    try:
        points = prepare(url, args.grids)
        if not args.overdue_only:
            bench_http(url, points, args.requests, args.concurrency, args.workers, args.rounds)
            bench_raw(url, points, args.requests, args.concurrency)
        if args.overdue_cases:
            bench_overdue(url, points, args.overdue_cases)
    finally:
        drop_database(args.database_url, url)


if __name__ == "__main__":
    main()
