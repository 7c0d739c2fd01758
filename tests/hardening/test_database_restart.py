"""Issue 16 item 12: a database restart costs no user a 500 — pooled connections that the server
dropped are detected and replaced before a request uses them. (The restart is simulated by
terminating every backend of the database, as a restart does.)"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from gridgov.app import create_app
from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from gridgov.kit.db import make_engine
from tests.factories import auth_headers, create_user

PG_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL")


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only (GRIDGOV_TEST_DATABASE_URL)")
def test_no_request_fails_after_the_server_dropped_every_connection(
    fresh_database_url: Any, tmp_path: Path
) -> None:
    url = fresh_database_url("postgresql")
    setup = make_engine(url)
    with Session(setup, expire_on_commit=False) as session:
        user = create_user(session, role=Role.SHIFT_LEADER)
        session.commit()
    setup.dispose()
    settings = Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path)
    app = create_app(settings)
    with TestClient(app) as client:
        headers = auth_headers(client, user)

        def me(_: int) -> int:
            # A read that reaches the database every time (/auth/me answers a remembered caller
            # without a query, so it would hold no pooled connection to lose).
            return client.get("/api/v1/cases?limit=1", headers=headers).status_code

        with ThreadPoolExecutor(4) as pool:  # several pooled connections
            assert set(pool.map(me, range(12))) == {200}
        database = url.rsplit("/", 1)[1]
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            killed = connection.execute(
                text(
                    # The timeout makes each call wait until the backend has exited, as a restart
                    # has finished before the server takes connections again (without it the
                    # signal races the next request, which a real restart does not).
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 10000)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": database},
            ).scalar_one()
        admin.dispose()
        assert killed >= 2
        statuses = [me(i) for i in range(4)]
        with ThreadPoolExecutor(4) as pool:
            statuses += list(pool.map(me, range(8)))
    app.state.engine.dispose()
    assert statuses == [200] * 12
