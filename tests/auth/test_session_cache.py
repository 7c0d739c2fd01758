"""The process's memory of resolved sessions (auth/session_cache.py): a remembered caller is
answered without the database, and nothing that ends a session or changes an account waits for
the memory to expire."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.config import Settings
from gridgov.kit.clock import utcnow
from gridgov.models.user import AuthSession
from tests.factories import DEFAULT_PASSWORD, auth_headers, create_user, login

ME = "/api/v1/auth/me"


@pytest.fixture
def session_lookups(db: Session) -> Iterator[list[str]]:
    """The statements that looked a token up in ``auth_sessions``."""
    seen: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if "FROM auth_sessions JOIN users" in statement:
            seen.append(statement)

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", before)
    yield seen
    event.remove(bind, "before_cursor_execute", before)


def test_a_remembered_caller_needs_no_lookup(
    client: TestClient, db: Session, session_lookups: list[str]
) -> None:
    headers = auth_headers(client, create_user(db, role=Role.DISPATCHER))
    for _ in range(3):
        assert client.get(ME, headers=headers).status_code == 200
    assert len(session_lookups) == 1


def test_who_am_i_comes_with_the_caller_and_follows_an_account_change(
    client: TestClient, db: Session
) -> None:
    """``/auth/me`` answers from the facts read with the caller (no statement of its own once
    the caller is remembered), and an account change in this process shows at once."""
    admin = auth_headers(client, create_user(db, role=Role.SECURITY_ADMIN))
    user = create_user(db, role=Role.DISPATCHER)
    headers = auth_headers(client, user)
    first = client.get(ME, headers=headers).json()
    assert first["id"] == user.id
    assert first["username"] == user.username
    assert first["role"] == "dispatcher"
    assert first["active"] is True and first["last_login_at"] is not None

    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    bind = db.get_bind()
    event.listen(bind, "before_cursor_execute", before)
    try:
        assert client.get(ME, headers=headers).json() == first
    finally:
        event.remove(bind, "before_cursor_execute", before)
    assert statements == []

    patched = client.patch(
        f"/api/v1/users/{user.id}", headers=admin, json={"display_name": "调度员小李"}
    )
    assert patched.status_code == 200
    assert client.get(ME, headers=headers).json()["display_name"] == "调度员小李"


def test_sign_out_is_refused_at_once(client: TestClient, db: Session) -> None:
    headers = auth_headers(client, create_user(db, role=Role.DISPATCHER))
    assert client.get(ME, headers=headers).status_code == 200  # remembered now
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401


def test_disabling_and_role_change_end_remembered_sessions(client: TestClient, db: Session) -> None:
    admin = auth_headers(client, create_user(db, role=Role.SECURITY_ADMIN))
    worker = create_user(db, role=Role.DISPATCHER)
    disabled = auth_headers(client, worker)
    assert client.get(ME, headers=disabled).status_code == 200
    response = client.patch(f"/api/v1/users/{worker.id}", headers=admin, json={"active": False})
    assert response.status_code == 200
    assert client.get(ME, headers=disabled).status_code == 401

    other = create_user(db, role=Role.DISPATCHER)
    moved = auth_headers(client, other)
    assert client.get(ME, headers=moved).json()["role"] == "dispatcher"
    response = client.patch(f"/api/v1/users/{other.id}", headers=admin, json={"role": "leader"})
    assert response.status_code == 200
    assert client.get(ME, headers=moved).status_code == 401


def test_password_change_ends_the_other_remembered_sessions(
    client: TestClient, db: Session
) -> None:
    user = create_user(db, role=Role.DISPATCHER)
    phone = auth_headers(client, user)
    laptop = auth_headers(client, user)
    assert client.get(ME, headers=phone).status_code == 200
    assert client.get(ME, headers=laptop).status_code == 200
    changed = client.post(
        "/api/v1/auth/password",
        headers=laptop,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "Another-Pass-2026!"},
    )
    assert changed.status_code == 204
    assert client.get(ME, headers=phone).status_code == 401
    assert client.get(ME, headers=laptop).status_code == 200


def test_refreshed_token_pair_replaces_the_remembered_one(client: TestClient, db: Session) -> None:
    first = login(client, create_user(db, role=Role.DISPATCHER))
    old = {"Authorization": f"Bearer {first['access_token']}"}
    assert client.get(ME, headers=old).status_code == 200
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert refreshed.status_code == 200
    assert client.get(ME, headers=old).status_code == 401


@pytest.fixture
def short_memory(app: FastAPI, settings: Settings) -> float:
    app.state.settings = settings.model_copy(update={"session_cache_seconds": 0.2})
    return 0.2


def test_a_change_made_elsewhere_is_seen_within_the_bound(
    client: TestClient, db: Session, short_memory: float
) -> None:
    """Another worker (or the CLI) revoked the session: this process refuses it once its
    memory of the session is older than GRIDGOV_SESSION_CACHE_SECONDS."""
    user = create_user(db, role=Role.DISPATCHER)
    headers = auth_headers(client, user)
    assert client.get(ME, headers=headers).status_code == 200
    auth_session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert auth_session is not None
    auth_session.revoked_at = utcnow() - timedelta(seconds=1)
    db.commit()  # not through this process's services: nothing was forgotten
    time.sleep(short_memory + 0.05)
    assert client.get(ME, headers=headers).status_code == 401
