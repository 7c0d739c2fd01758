from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from tests.authz.city import make_overlay
from tests.factories import auth_headers, create_user, login


def test_security_admin_manages_accounts(client: TestClient, db: Session) -> None:
    overlay, _grids = make_overlay(db)
    db.commit()
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    headers = auth_headers(client, admin)
    created = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "Inspector7",
            "role": "inspector",
            "password": "Initial-Pass123",
            "region_code": overlay.code,
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "inspector7" and user["must_change_password"] is True

    unknown_region = client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "worker9",
            "role": "grid_worker",
            "password": "Initial-Pass123",
            "region_code": "999999999999999",
        },
    )
    assert unknown_region.status_code == 400

    listed = client.get("/api/v1/users", headers=headers).json()
    assert {"inspector7", admin.username} <= {u["username"] for u in listed["items"]}

    disabled = client.patch(f"/api/v1/users/{user['id']}", headers=headers, json={"active": False})
    assert disabled.status_code == 200 and disabled.json()["active"] is False
    reset = client.post(f"/api/v1/users/{user['id']}/reset-password", headers=headers)
    assert reset.status_code == 200
    client.patch(f"/api/v1/users/{user['id']}", headers=headers, json={"active": True})
    token = login(client, "inspector7", reset.json()["initial_password"])
    assert token["must_change_password"] is True


def test_administrator_accounts_only_on_the_command_line(client: TestClient, db: Session) -> None:
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    headers = auth_headers(client, admin)
    for role in ("security_admin", "auditor", "system_admin"):
        response = client.post(
            "/api/v1/users",
            headers=headers,
            json={"username": f"x{role}", "role": role, "password": "Initial-Pass123"},
        )
        assert response.status_code == 403, role
    # nor their own account
    own = client.patch(f"/api/v1/users/{admin.id}", headers=headers, json={"active": False})
    assert own.status_code == 403
    auditor = create_user(db, role=Role.AUDITOR)
    other = client.post(f"/api/v1/users/{auditor.id}/reset-password", headers=headers)
    assert other.status_code == 403


def test_invalid_input_is_rejected_without_writes(client: TestClient, db: Session) -> None:
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    headers = auth_headers(client, admin)
    for body in (
        {"username": "a'; drop table users;--", "role": "leader", "password": "Initial-Pass123"},
        {"username": "<script>", "role": "leader", "password": "Initial-Pass123"},
        {"username": "okname", "role": "nope", "password": "Initial-Pass123"},
        {"username": "okname", "role": "leader", "password": "weak"},
        {"username": "okname", "role": "leader", "password": "Initial-Pass123", "x": 1},
        {"username": "okname", "role": "grid_worker", "password": "Initial-Pass123"},
    ):
        response = client.post("/api/v1/users", headers=headers, json=body)
        assert response.status_code in (400, 422), body
    names = {u["username"] for u in client.get("/api/v1/users", headers=headers).json()["items"]}
    assert "okname" not in names


def test_others_see_no_accounts_but_their_own(client: TestClient, db: Session) -> None:
    leader = create_user(db, role=Role.LEADER)
    assert client.get("/api/v1/users", headers=auth_headers(client, leader)).status_code == 403


def test_unknown_or_taken_staff_record_is_a_clear_4xx(client: TestClient, db: Session) -> None:
    from gridgov.models.staff import Staff

    staff = Staff(staff_no="LINK1", name="张三", kind="grid_worker")
    db.add(staff)
    db.commit()
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    headers = auth_headers(client, admin)
    body = {"role": "leader", "password": "Initial-Pass123"}
    missing = client.post(
        "/api/v1/users", headers=headers, json={**body, "username": "staff1", "staff_id": 999999}
    )
    assert missing.status_code == 400
    first = client.post(
        "/api/v1/users", headers=headers, json={**body, "username": "staff2", "staff_id": staff.id}
    )
    assert first.status_code == 201
    taken = client.post(
        "/api/v1/users", headers=headers, json={**body, "username": "staff3", "staff_id": staff.id}
    )
    assert taken.status_code == 409
