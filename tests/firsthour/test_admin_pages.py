"""User management pages for the security administrator (issue 10)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.user import User
from tests.auth.test_pages import form_token, web_login
from tests.cases.conftest import _fresh_caches, city  # noqa: F401 (fixtures)
from tests.cases.helpers import GRID_A
from tests.factories import create_user


def test_security_admin_creates_moves_disables_and_resets_an_account(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
) -> None:
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    web_login(client, admin.username)
    listing = client.get("/admin/users")
    assert listing.status_code == 200 and admin.username in listing.text
    new = client.get("/admin/users/new")
    token = form_token(new.text)
    assert "security_admin" not in re.findall(r'<option value="([a-z_]+)"', new.text)
    created = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "Wang.Wei",
            "role": "grid_worker",
            "display_name": "王伟",
            "region_code": GRID_A,
        },
    )
    assert created.status_code == 200, created.text
    initial = re.search(r'id="initial-password"[^>]*>([^<]+)<', created.text)
    assert initial is not None
    user = db.scalar(select(User).where(User.username == "wang.wei"))
    assert user is not None and user.role == "grid_worker" and user.must_change_password
    # The new worker can sign in with the password shown once (and must then change it).
    signed = client.post(
        "/api/v1/auth/token", json={"username": "wang.wei", "password": initial.group(1)}
    )
    assert signed.status_code == 200 and signed.json()["must_change_password"] is True

    moved = client.post(
        f"/admin/users/{user.id}",
        data={"csrf_token": token, "display_name": "王伟", "region_code": GRID_A[:12]},
        follow_redirects=False,
    )
    # A grid worker's scope is one grid: a community code is refused, nothing changes.
    assert moved.status_code == 400
    db.expire_all()
    assert db.get(User, user.id).region_code == GRID_A  # type: ignore[union-attr]

    disabled = client.post(
        f"/admin/users/{user.id}/active", data={"csrf_token": token}, follow_redirects=False
    )
    assert disabled.status_code == 303
    db.expire_all()
    assert db.get(User, user.id).active is False  # type: ignore[union-attr]
    refused = client.post(
        "/api/v1/auth/token", json={"username": "wang.wei", "password": initial.group(1)}
    )
    assert refused.status_code in (401, 403)

    reset = client.post(f"/admin/users/{user.id}/reset-password", data={"csrf_token": token})
    fresh = re.search(r'id="initial-password"[^>]*>([^<]+)<', reset.text)
    assert fresh is not None and fresh.group(1) != initial.group(1)
    actions = set(
        db.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "user", AuditEntry.object_id == str(user.id)
            )
        )
    )
    assert {"user.create", "user.update", "user.reset_password"} <= actions
    listed = client.get("/admin/users", params={"q": "王伟"})
    assert 'data-username="wang.wei"' in listed.text and "已停用" in listed.text


def test_other_roles_do_not_manage_users(client: TestClient, db: Session) -> None:
    leader = create_user(db, role=Role.LEADER)
    web_login(client, leader.username)
    assert client.get("/admin/users").status_code == 403
    own = client.get("/")
    assert "/admin/users" not in own.text
