from __future__ import annotations

import re
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.auth import session_cache
from gridgov.auth.csrf import csrf_protect
from gridgov.authz.principal import Role
from gridgov.kit.clock import utcnow
from gridgov.models.user import AuthSession
from tests.factories import DEFAULT_PASSWORD, create_user


def form_token(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the form"
    return match.group(1)


def web_login(client: TestClient, username: str, password: str = DEFAULT_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    page = client.get("/login")
    assert page.status_code == 200
    data = {"username": username, "password": password, "csrf_token": form_token(page.text)}
    data.update(extra)
    return client.post("/login", data=data, follow_redirects=False)


def test_login_sets_a_hardened_cookie(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    response = web_login(client, user.username, next="/audit")
    assert response.status_code == 303
    assert response.headers["location"] == "/audit"
    cookie = response.headers["set-cookie"]
    assert "gridgov_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["channel"] == "web"


def test_login_without_csrf_is_refused(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    client.get("/login")
    response = client.post(
        "/login",
        data={"username": user.username, "password": DEFAULT_PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    # A page's refusal is a page in the user's language, not JSON.
    assert response.headers["content-type"].startswith("text/html")
    assert "表单已过期" in response.text
    forged = client.post(
        "/login",
        data={"username": user.username, "password": DEFAULT_PASSWORD, "csrf_token": "x" * 64},
        follow_redirects=False,
    )
    assert forged.status_code == 403


def test_wrong_password_rerenders_with_error(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    response = web_login(client, user.username, "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    db.refresh(user)
    assert user.failed_count == 1


def test_open_redirect_is_neutralised(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    response = web_login(client, user.username, next="//evil.example/x")
    assert response.headers["location"] == "/"


def test_html_injection_is_escaped(client: TestClient) -> None:
    page = client.get("/login", params={"next": '/"><script>alert(1)</script>'})
    assert "<script>alert(1)</script>" not in page.text


def test_cookie_api_writes_need_the_csrf_header(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    web_login(client, user.username)
    assert client.post("/api/v1/auth/logout").status_code == 403
    page = client.get("/password")
    token = form_token(page.text)
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_idle_session_times_out(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    web_login(client, user.username)
    assert client.get("/api/v1/auth/me").status_code == 200
    auth_session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert auth_session is not None
    auth_session.last_seen_at = utcnow() - timedelta(minutes=31)
    db.commit()
    # 31 minutes pass: the process has long forgotten the session it resolved (a direct edit of
    # the database is seen within GRIDGOV_SESSION_CACHE_SECONDS).
    session_cache.clear()
    assert client.get("/api/v1/auth/me").status_code == 401
    page = client.get("/password", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_forced_password_change_flow(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.DISPATCHER, must_change_password=True)
    response = web_login(client, user.username)
    assert response.headers["location"] == "/password"
    page = client.get("/password")
    assert "请先设置您自己的密码" in page.text or "choose your own" in page.text
    token = form_token(page.text)
    mismatch = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current_password": DEFAULT_PASSWORD,
            "new_password": "Brand-New-Pass1",
            "repeat_password": "Brand-New-Pass2",
        },
    )
    assert mismatch.status_code == 400
    done = client.post(
        "/password",
        data={
            "csrf_token": token,
            "current_password": DEFAULT_PASSWORD,
            "new_password": "Brand-New-Pass1",
            "repeat_password": "Brand-New-Pass1",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.refresh(user)
    assert user.must_change_password is False


def test_logout_revokes_the_session(client: TestClient, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    web_login(client, user.username)
    token = form_token(client.get("/password").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    auth_session = db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
    assert auth_session is not None and auth_session.revoked_at is not None


def test_every_web_form_route_checks_csrf(app: FastAPI) -> None:
    """Pages (outside /api and /open311) that accept POST/PUT/PATCH/DELETE must depend on
    ``csrf_protect`` — a new form route without it fails here."""
    from tests.authz.routes import dependency_calls, iter_routes

    missing, checked = [], 0
    for route in iter_routes(app):
        if route.path.startswith(("/api/", "/open311")):
            continue
        if not (route.methods - {"GET", "HEAD", "OPTIONS"}):
            continue
        checked += 1
        if csrf_protect not in set(dependency_calls(route.dependant)):
            missing.append(f"{sorted(route.methods)} {route.path}")
    assert checked >= 3, "the route walker found no form routes"
    assert not missing, f"form routes without csrf_protect: {missing}"
