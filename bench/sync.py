"""Field sync benchmark.

Prints:
- the sync service's batch rate (records/s, 1,000-record batches, one transaction each) — the
  SPEC target for batch paths is ≥ 10 k records/s on PostgreSQL;
- how long one worker's 500 queued submissions take to sync over HTTP (batches of 200, as the
  app sends them), first send and full re-send (all duplicates);
- the whole city's day pushed by concurrent clients against a real uvicorn server: every worker
  starts a patrol, sends 3 h of GPS at 30 s (360 points, in requests of ``--points-per-request``),
  ends it, and syncs ~20 submissions (18 forms, 2 problem reports → cases); total wall time
  against the 24 h it simulates (target: under 1 %), then the same day re-sent (all duplicates)
  and a check that every record is stored exactly once.

Usage:
  python bench/sync.py [--grids 1110] [--concurrency 16] [--server-workers 2]
                       [--database-url URL | --postgres BASE_URL]

``--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test`` creates a fresh database for
the run and drops it afterwards; the default is a new SQLite file.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.grids.geometry import from_geojson
from gridgov.grids.repository import RegionRepository
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.sim.city import build_city

PASSWORD = "Sync-Speed-2026!"
DAY_SECONDS = 24 * 3600
START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Yichang


def line(label: str, value: str, note: str = "") -> None:
    print(f"  {label:<50} {value:>16}   {note}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- data -------------------------------------------------------------------------------------


def environment_record(rng: random.Random, lng: float, lat: float) -> dict[str, Any]:
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "kind": "form",
        "module": "environment",
        "data": {
            "issues": rng.sample(["garbage", "sewage", "ditch", "toilet"], k=rng.randint(1, 2)),
            "severity": "minor",
            "description": "巡查发现" + "垃圾" * rng.randint(1, 20),
            "location": f"{lat:.6f} {lng:.6f}",
        },
        "lng": lng,
        "lat": lat,
        "collected_at": START.isoformat(),
    }


def dispute_record(rng: random.Random, lng: float, lat: float) -> dict[str, Any]:
    mediated = rng.random() < 0.5
    data: dict[str, Any] = {
        "dispute_type": rng.choice(["neighbour", "family", "property", "labour"]),
        "parties": rng.randint(2, 5),
        "risk": rng.choice(["low", "medium", "high"]),
        "summary": "邻里因噪音发生口角，已现场劝导",
        "mediated": "yes" if mediated else "no",
    }
    if mediated:
        data["mediation_result"] = "双方达成谅解"
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "kind": "form",
        "module": "disputes",
        "data": data,
        "lng": lng,
        "lat": lat,
        "collected_at": START.isoformat(),
    }


def report_record(rng: random.Random, lng: float, lat: float) -> dict[str, Any]:
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "kind": "report",
        "data": {"category": "E0101", "description": "巡查发现私搭乱建", "photos": []},
        "lng": lng,
        "lat": lat,
        "collected_at": START.isoformat(),
    }


def track(rng: random.Random, lng: float, lat: float, n: int = 360) -> list[dict[str, Any]]:
    points = []
    x, y = lng, lat
    for i in range(n):
        x += rng.uniform(-0.0002, 0.0002)
        y += rng.uniform(-0.0002, 0.0002)
        x += (lng - x) * 0.05  # stay around the grid
        y += (lat - y) * 0.05
        t = START + timedelta(seconds=30 * i)
        points.append({"t": t.isoformat(), "lng": round(x, 6), "lat": round(y, 6), "accuracy": 8})
    return points


# ---- setup ------------------------------------------------------------------------------------


def setup(url: str, grids: int) -> list[tuple[str, str, float, float]]:
    """The city (no population) and one grid-worker account per grid: (username, grid, lng, lat)."""
    from gridgov.auth import service as auth_service
    from gridgov.auth.passwords import cheap_hash
    from gridgov.auth.schemas import UserCreate
    from gridgov.config import Mode, Settings

    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session:
        build_city(session, grids=grids, seed=1, with_population=False)
        session.commit()
        settings = Settings(mode=Mode.TEST, database_url=url)
        hashed = cheap_hash(PASSWORD)
        workers = []
        for code, geometry in RegionRepository(session).all_grids():
            inside = from_geojson(geometry).representative_point()
            username = f"w{code}"
            auth_service.create_user(
                session,
                user_in=UserCreate(
                    username=username,
                    role=Role.GRID_WORKER,
                    password=PASSWORD,
                    region_code=code,
                    must_change_password=False,
                ),
                settings=settings,
                password_hash=hashed,
            )
            workers.append((username, code, inside.x, inside.y))
        session.commit()
    engine.dispose()
    line(
        "setup: city + worker accounts",
        f"{time.perf_counter() - started:8.1f} s",
        f"{len(workers)} workers",
    )
    return workers


# ---- 1. the service's batch rate --------------------------------------------------------------


def bench_service(url: str, workers: list[tuple[str, str, float, float]], records: int) -> None:
    from gridgov.fieldwork.sync.schemas import SyncRecord
    from gridgov.fieldwork.sync.service import sync_batch

    engine = make_engine(url)
    rng = random.Random(7)
    _, code, lng, lat = workers[0]
    with Session(engine) as session:
        user_id = session.scalar(
            text("SELECT id FROM users WHERE username = :u"), {"u": workers[0][0]}
        )
    principal = Principal(
        user_id=int(user_id), username="bench", role=Role.GRID_WORKER, region_code=code
    )
    batches = [
        [SyncRecord.model_validate(environment_record(rng, lng, lat)) for _ in range(1000)]
        for _ in range(max(1, records // 1000))
    ]
    with Session(engine) as session:  # warm up: modules installed and compiled
        warm = SyncRecord.model_validate(environment_record(rng, lng, lat))
        sync_batch(session, principal=principal, records=[warm])
        session.commit()
    started = time.perf_counter()
    for batch in batches:
        with Session(engine) as session:
            results = sync_batch(session, principal=principal, records=batch)
            session.commit()
        assert all(r.status == "stored" for r in results), results[0]
    elapsed = time.perf_counter() - started
    total = sum(len(b) for b in batches)
    line(
        "sync service, 1,000-record batches",
        f"{total / elapsed:10,.0f} rec/s",
        f"{total:,} records in {elapsed:.2f} s",
    )
    started = time.perf_counter()
    for batch in batches:
        with Session(engine) as session:
            results = sync_batch(session, principal=principal, records=batch)
            session.commit()
        assert all(r.status == "duplicate" for r in results)
    elapsed = time.perf_counter() - started
    line("  … the same batches re-sent (duplicates)", f"{total / elapsed:10,.0f} rec/s")
    engine.dispose()


# ---- HTTP -------------------------------------------------------------------------------------


def start_server(url: str, workers: int, media: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_MODE": "demo",
        "GRIDGOV_MEDIA_DIR": media,
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gridgov.app:create_app",
            "--factory",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/openapi.json", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    return server, base


def sign_in(client: httpx.Client, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    response.raise_for_status()
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    # The sign-in is committed after its response is sent (kit.db.request_session runs after the
    # response on FastAPI ≥ 0.121): wait until the token is usable, as the app does.
    for _ in range(50):
        if client.get("/api/v1/auth/me", headers=headers).status_code == 200:
            break
        time.sleep(0.05)
    return headers


def post(client: httpx.Client, path: str, body: Any, headers: dict[str, str]) -> httpx.Response:
    for attempt in range(5):  # a phone retries what failed; every endpoint is idempotent
        try:
            response = client.post(path, json=body, headers=headers)
            if response.status_code < 500:
                if response.status_code >= 400:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")
                return response
        except httpx.HTTPError:
            pass
        time.sleep(0.2 * (attempt + 1))
    raise RuntimeError(f"{path} kept failing")


def bench_one_worker(base: str, worker: tuple[str, str, float, float]) -> None:
    username, _, lng, lat = worker
    rng = random.Random(11)
    records = [environment_record(rng, lng, lat) for _ in range(500)]
    with httpx.Client(base_url=base, timeout=60) as client:
        headers = sign_in(client, username)
        for label in ("first send", "re-send (all duplicates)"):
            started = time.perf_counter()
            statuses: dict[str, int] = {}
            for i in range(0, len(records), 200):
                response = post(
                    client, "/api/v1/field/sync", {"records": records[i : i + 200]}, headers
                )
                for key, value in response.json()["counts"].items():
                    statuses[key] = statuses.get(key, 0) + value
            elapsed = time.perf_counter() - started
            line(
                f"one worker's 500 queued submissions, {label}", f"{elapsed:8.2f} s", str(statuses)
            )


def worker_day(
    base: str, worker: tuple[str, str, float, float], points_per_request: int
) -> tuple[int, int, dict[str, int]]:
    username, _, lng, lat = worker
    rng = random.Random(zlib.crc32(username.encode()))
    records = [
        dispute_record(rng, lng, lat) if i % 3 else environment_record(rng, lng, lat)
        for i in range(18)
    ]
    records += [report_record(rng, lng, lat) for _ in range(2)]
    points = track(rng, lng, lat)
    patrol = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    counts: dict[str, int] = {}
    requests = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        headers = sign_in(client, username)
        post(
            client,
            "/api/v1/field/patrols",
            {"uuid": patrol, "started_at": START.isoformat()},
            headers,
        )
        requests += 2
        for i in range(0, len(points), points_per_request):
            post(
                client,
                f"/api/v1/field/patrols/{patrol}/points",
                {"points": points[i : i + points_per_request]},
                headers,
            )
            requests += 1
        end = (START + timedelta(hours=3)).isoformat()
        response = post(client, f"/api/v1/field/patrols/{patrol}/end", {"ended_at": end}, headers)
        seconds_inside = int(response.json()["seconds_inside"])
        response = post(client, "/api/v1/field/sync", {"records": records}, headers)
        requests += 2
        for key, value in response.json()["counts"].items():
            counts[key] = counts.get(key, 0) + value
    return requests, seconds_inside, counts


def bench_city_day(
    base: str,
    url: str,
    workers: list[tuple[str, str, float, float]],
    concurrency: int,
    points_per_request: int,
) -> None:
    for label, resend in (("the city's day", False), ("the same day re-sent", True)):
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(lambda w: worker_day(base, w, points_per_request), workers))
        elapsed = time.perf_counter() - started
        requests = sum(r[0] for r in results)
        counts: dict[str, int] = {}
        for _, _, c in results:
            for key, value in c.items():
                counts[key] = counts.get(key, 0) + value
        points = 360 * len(workers)
        line(
            f"{label}: {len(workers)} workers, {concurrency} clients",
            f"{elapsed:8.1f} s",
            f"{100 * elapsed / DAY_SECONDS:.3f} % of 24 h · {requests / elapsed:,.0f} req/s · "
            f"{(points + sum(counts.values())) / elapsed:,.0f} records/s · {counts}",
        )
        if not resend:
            met = sum(1 for r in results if r[1] >= 3 * 3600 * 0.9)
            line("  workers with ≥ 90 % of the track inside the grid", f"{met:>8}", "")
    engine = make_engine(url)
    with Session(engine) as session:
        from gridgov.models.field_submission import FieldSubmission
        from gridgov.models.patrol import Patrol, PatrolPoint

        stored = session.scalar(
            select(func.count())
            .select_from(FieldSubmission)
            .where(FieldSubmission.grid_code.is_not(None))
        )
        patrols = session.scalar(select(func.count()).select_from(Patrol))
        pts = session.scalar(select(func.count()).select_from(PatrolPoint))
    engine.dispose()
    expected = 20 * len(workers)
    line(
        "stored exactly once (submissions, patrols, points)",
        f"{stored:,} / {patrols:,} / {pts:,}",
        f"expected ≥ {expected:,} / {len(workers):,} / {360 * len(workers):,} (plus the other sections)",
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--grids", type=int, default=1110)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--server-workers", type=int, default=2)
    parser.add_argument("--points-per-request", type=int, default=10, help="the app sends 10")
    parser.add_argument("--service-records", type=int, default=20_000)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    parser.add_argument(
        "--postgres", help="base URL: create (and afterwards drop) a fresh database"
    )
    args = parser.parse_args()

    created = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if args.postgres:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
            from tests.conftest import create_postgres_database

            url = created = create_postgres_database(args.postgres)
        print(
            f"gridgov sync bench — {args.grids} grids on {url.split('://')[0]}, {os.cpu_count()} cores",
            flush=True,
        )
        try:
            upgrade(url)
            workers = setup(url, args.grids)
            bench_service(url, workers, args.service_records)
            server, base = start_server(url, args.server_workers, str(Path(tmp) / "media"))
            try:
                bench_one_worker(base, workers[1])
                bench_city_day(base, url, workers, args.concurrency, args.points_per_request)
            finally:
                server.terminate()
                server.wait(timeout=20)
        finally:
            if created and args.postgres:
                from tests.conftest import drop_postgres_database

                from gridgov.audit import chain

                chain.drain_all()  # seal this process's trail entries before the database goes

                drop_postgres_database(args.postgres, created)


if __name__ == "__main__":
    main()
