"""Test databases are built by the migrations, once per run and backend; each test is rolled back.

Database tests run on SQLite and, when ``GRIDGOV_TEST_DATABASE_URL`` points at PostgreSQL, on
PostgreSQL too (each run gets its own freshly created database there).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from gridgov.app import create_app
from gridgov.audit.chain import drain_all
from gridgov.config import Mode, Settings
from gridgov.kit.db import end_request, make_engine, request_session
from gridgov.kit.migrations import upgrade

# A busy 2-core machine (CI, or the browser tests beside) draws slowly: that is no failure.
hypothesis_settings.register_profile(
    "gridgov", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("gridgov")

PG_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if PG_URL else [])]


def create_postgres_database(base_url: str) -> str:
    name = f"gridgov_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(base_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@contextmanager
def database_at(revision: str, backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database of ``backend`` migrated up to ``revision`` (a data migration's test starts
    from the revision before it); dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        assert PG_URL
        url = create_postgres_database(PG_URL)
    upgrade(url, revision)
    yield url
    drain_all()  # the trail entries of the test are sealed before the database goes away
    if backend != "sqlite":
        assert PG_URL
        drop_postgres_database(PG_URL, url)


@pytest.fixture(scope="session")
def fresh_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Factory for empty, migrated databases of a backend (for CLI and live-server tests)."""
    made: list[str] = []

    def make(backend: str = "sqlite") -> str:
        if backend == "sqlite":
            path: Path = tmp_path_factory.mktemp("db") / "gridgov.db"
            url = f"sqlite:///{path}"
        else:
            assert PG_URL
            url = create_postgres_database(PG_URL)
            made.append(url)
        upgrade(url)
        return url

    yield make
    for url in made:
        assert PG_URL
        drop_postgres_database(PG_URL, url)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, fresh_database_url) -> str:  # type: ignore[no-untyped-def]
    return str(fresh_database_url(backend))


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(mode=Mode.TEST, database_url=database_url, media_dir=tmp_path / "media")


@pytest.fixture
def app(settings: Settings, db: Session) -> FastAPI:
    app = create_app(settings)

    def test_session(request: Request) -> Iterator[Session]:
        # The real dependency's end (commit, keep-writes, refusal records) on the test's session.
        try:
            yield db
        except BaseException as error:
            end_request(db, request, error)
            raise
        end_request(db, request, None)

    app.dependency_overrides[request_session] = test_session
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    """Debian's chromium driven by Playwright (installed by `make test`, never `playwright
    install`); one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from tests.live import BROWSER_ARGS

    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
        yield launched
        launched.close()
