from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.clock import utcnow
from gridgov.models.audit import AuditEntry
from gridgov.models.user import AuthSession
from tests.factories import DEFAULT_PASSWORD, auth_headers, create_user, login


def test_token_me_and_logout(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.GRID_WORKER, region_code="420502001001007")
    headers = auth_headers(client, user)
    me = client.get("/api/v1/auth/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == user.username
    assert body["role"] == "grid_worker"
    assert body["region_code"] == "420502001001007"
    assert "password_hash" not in body

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    again = client.get("/api/v1/auth/me", headers=headers)
    assert again.status_code == 401
    assert again.json()["code"] == "invalid_token"


def test_anonymous_and_forged_tokens_get_401(client: TestClient) -> None:
    assert client.get("/api/v1/auth/me").status_code == 401
    forged = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"})
    assert forged.status_code == 401
    wrong_scheme = client.get("/api/v1/auth/me", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401


def test_wrong_password_is_counted_and_in_the_trail(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.DISPATCHER)
    response = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": "nope"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"
    db.refresh(user)
    assert user.failed_count == 1
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "auth.login_failed"))
    assert entry is not None and entry.outcome == "failure"
    assert entry.object_id == str(user.id)

    unknown = client.post("/api/v1/auth/token", json={"username": "ghost", "password": "x"})
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "invalid_credentials"


def test_lockout_after_five_failures(client: TestClient, db: Session) -> None:
    """Five failures from one address stop that address trying that account (issue 16 #15:
    the account itself is not locked, see tests/hardening/test_sign_in_throttle.py)."""
    user = create_user(db, role=Role.LEADER)
    for _ in range(5):
        r = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
        assert r.status_code == 401
    sixth = client.post("/api/v1/auth/token", json={"username": user.username, "password": "x"})
    assert sixth.status_code == 429
    # Even the right password is refused from this address.
    right = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert right.status_code == 429
    assert right.json()["code"] == "sign_in_throttled"
    # An administrator's lock still holds; once it has passed the account works again.
    db.refresh(user)
    assert user.locked_until is None
    user.locked_until = utcnow() + timedelta(minutes=5)
    db.commit()
    with TestClient(client.app, client=("10.9.9.9", 5000)) as elsewhere:
        locked = elsewhere.post(
            "/api/v1/auth/token", json={"username": user.username, "password": DEFAULT_PASSWORD}
        )
        assert locked.status_code == 423
        user.locked_until = utcnow() - timedelta(seconds=1)
        db.commit()
        login(elsewhere, user)


def test_refresh_rotates_and_detects_reuse(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.INTAKE_CLERK)
    first = login(client, user)
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    new = second.json()
    old_headers = {"Authorization": f"Bearer {first['access_token']}"}
    new_headers = {"Authorization": f"Bearer {new['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=old_headers).status_code == 401
    assert client.get("/api/v1/auth/me", headers=new_headers).status_code == 200
    # The old refresh token again: stolen → every session of the user ends.
    reuse = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert client.get("/api/v1/auth/me", headers=new_headers).status_code == 401


def test_expired_token_is_refused(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.AUDITOR)
    headers = auth_headers(client, user)
    auth_session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert auth_session is not None
    auth_session.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_disabled_account_cannot_sign_in(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER, active=False)
    r = client.post(
        "/api/v1/auth/token", json={"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert r.status_code == 401
    assert r.json()["code"] == "account_disabled"


def test_initial_password_must_be_changed(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.SHIFT_LEADER, must_change_password=True)
    token = login(client, user)
    assert token["must_change_password"] is True
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 200
    blocked = client.get("/api/v1/regions", headers=headers)
    assert blocked.status_code in (403, 404)
    weak = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "short"},
    )
    assert weak.status_code == 400
    assert weak.json()["problems"]
    ok = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": DEFAULT_PASSWORD, "new_password": "Another-Passw0rd"},
    )
    assert ok.status_code == 204
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert me["must_change_password"] is False
    login(client, user, "Another-Passw0rd")


def test_bad_input_gets_422_and_nothing_written(client: TestClient, db: Session) -> None:
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    r = client.post("/api/v1/auth/token", json={"username": "x" * 500, "password": "y"})
    assert r.status_code == 422
    r = client.post("/api/v1/auth/token", json={"username": "a", "password": "b", "evil": 1})
    assert r.status_code == 422
    after = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


def test_sql_injection_in_username_is_just_a_wrong_login(client: TestClient, db: Session) -> None:
    create_user(db, role=Role.LEADER, username="leader1")
    r = client.post(
        "/api/v1/auth/token", json={"username": "leader1' OR '1'='1", "password": "' OR 1=1 --"}
    )
    assert r.status_code == 401


def test_inspector_grid_codes_resolved_at_sign_in(client: TestClient, db: Session) -> None:
    from tests.authz.city import make_overlay

    overlay, grids = make_overlay(db)
    user = create_user(db, role=Role.INSPECTOR, region_code=overlay.code)
    me = client.get("/api/v1/auth/me", headers=auth_headers(client, user)).json()
    assert me["grid_codes"] == sorted(g.code for g in grids)


def test_oversized_login_body_is_413_and_not_trailed(client: TestClient, db: Session) -> None:
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    body = '{"username": "a", "password": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post(
        "/api/v1/auth/token", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    after = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


def test_stale_sessions_are_purged_at_sign_in(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    login(client, user)
    old = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert old is not None
    old.expires_at = old.refresh_expires_at = utcnow() - timedelta(days=2)
    db.commit()
    login(client, user)
    sids = list(db.scalars(select(AuthSession.sid).where(AuthSession.user_id == user.id)))
    assert old.sid not in sids and len(sids) == 1


def test_nul_bytes_are_refused_at_the_edge(client: TestClient, db: Session) -> None:
    r = client.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x"})
    # Refused by the app-wide guard (kit.middleware) before the schema sees it.
    assert r.status_code == 400
    assert r.json()["message_en"] == "The input contains a NUL character"
