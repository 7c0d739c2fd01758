"""Issue 16, proof: the server is killed (SIGKILL) while phones sync; after a restart every record
it acknowledged is there, and sending everything again stores nothing twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.field_submission import FieldSubmission
from gridgov.models.person import Person
from tests.browser.conftest import free_port
from tests.factories import create_user
from tests.fieldwork.conftest import make_grid, population_record

pytestmark = pytest.mark.slow
PASSWORD = "Durable-Passw0rd!"
SYNC = "/api/v1/field/sync"


def start(url: str, port: int, media: Path) -> subprocess.Popen:
    env = {**os.environ, "GRIDGOV_DATABASE_URL": url, "GRIDGOV_MODE": "test",
           "GRIDGOV_MEDIA_DIR": str(media), "GRIDGOV_REQUEST_LOG": "0"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "gridgov.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def test_nothing_acknowledged_is_lost_when_the_server_is_killed(
    backend: str, fresh_database_url: Any, tmp_path: Path
) -> None:
    url = fresh_database_url(backend)
    engine = make_engine(url)
    with Session(engine) as db:
        grid = make_grid(db)
        db.commit()
        worker = create_user(db, role=Role.GRID_WORKER, region_code=grid.code, password=PASSWORD)
        username = worker.username
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(url, port, tmp_path)
    try:
        token = httpx.post(
            base + "/api/v1/auth/token",
            json={"username": username, "password": PASSWORD},
            timeout=60,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        sent: list[dict[str, Any]] = []
        acknowledged: set[str] = set()
        guard, stop = threading.Lock(), threading.Event()

        def phone() -> None:
            while not stop.is_set():
                batch = [population_record() for _ in range(5)]
                with guard:
                    sent.extend(batch)
                try:
                    answer = httpx.post(
                        base + SYNC, json={"records": batch}, headers=headers, timeout=60
                    )
                except httpx.HTTPError:
                    continue  # killed mid-request: the phone keeps the batch and sends it again
                if answer.status_code == 200:
                    with guard:
                        acknowledged.update(
                            r["uuid"]
                            for r in answer.json()["results"]
                            if r["status"] in ("stored", "duplicate")
                        )

        phones = [threading.Thread(target=phone) for _ in range(4)]
        for thread in phones:
            thread.start()
        deadline = time.monotonic() + 120
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)  # in the middle of the phones' requests
        server.wait(10)
        stop.set()
        for thread in phones:
            thread.join(30)
        assert len(acknowledged) >= 40

        server = start(url, port, tmp_path)
        with Session(engine) as db:
            stored = set(db.scalars(select(FieldSubmission.uuid)))
        assert acknowledged <= stored, "acknowledged records lost by the kill"

        # The phones send their whole outbox again: the rest arrives, nothing is stored twice.
        for start_at in range(0, len(sent), 100):
            again = httpx.post(  # a loaded CI machine may take its time: no timeout here
                base + SYNC,
                json={"records": sent[start_at : start_at + 100]},
                headers=headers,
                timeout=None,
            )
            assert again.status_code == 200
            assert {r["status"] for r in again.json()["results"]} <= {"stored", "duplicate"}
        with Session(engine) as db:
            rows = db.scalar(select(func.count()).select_from(FieldSubmission))
            distinct = db.scalar(select(func.count(func.distinct(FieldSubmission.uuid))))
            people = db.scalar(select(func.count()).select_from(Person))
        assert rows == distinct == len({r["uuid"] for r in sent})
        assert people == rows  # each newcomer registered once
    finally:
        server.kill()
        server.wait(10)
        engine.dispose()
