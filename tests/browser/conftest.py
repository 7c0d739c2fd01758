"""A real gridgov server (uvicorn in a subprocess) on a free port against a fresh database, and
Debian's chromium driven by playwright with a phone viewport."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from tests.factories import create_user
from tests.fieldwork.conftest import make_grid

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Field-Passw0rd!"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(
    fresh_database_url: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as db:
        grid = make_grid(db)
        db.commit()
        worker = create_user(db, role=Role.GRID_WORKER, region_code=grid.code, password=PASSWORD)
        username, grid_code = worker.username, grid.code
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "GRIDGOV_DATABASE_URL": url,
        "GRIDGOV_MODE": "test",
        "GRIDGOV_MEDIA_DIR": str(tmp_path_factory.mktemp("media")),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "gridgov.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120  # a loaded machine starts uvicorn slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/field/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("server did not start")
    yield {"base": base, "url": url, "username": username, "password": PASSWORD, "grid": grid_code}
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def phone(live_server: dict) -> Iterator[Any]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="zh-CN",
            geolocation={"longitude": 111.300, "latitude": 30.700, "accuracy": 10},
            permissions=["geolocation"],
            service_workers="allow",
            # Playwright's wait_for_function evaluates its predicate with eval, which our CSP
            # forbids; the pages' own CSP compliance is tested in tests/hardening/test_csp_browser.py.
            bypass_csp=True,
        )
        try:
            yield context
        finally:
            context.close()
            browser.close()
