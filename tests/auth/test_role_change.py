"""Changing an account's role (with its region or department) through the API and
/admin/users (issue 10): who may grant which role, the scope that goes with the role, the
trail, the sessions ended."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.department import Department
from gridgov.models.user import User
from tests.auth.test_pages import form_token, web_login
from tests.authz.city import make_region
from tests.factories import auth_headers, create_user

GRID = "420502001001001"


def _city(db: Session) -> None:
    district = make_region(db, code=GRID[:6], level="district")
    street = make_region(db, code=GRID[:9], level="street", parent=district)
    community = make_region(db, code=GRID[:12], level="community", parent=street)
    make_region(db, code=GRID, level="grid", parent=community)
    if not db.scalar(select(Department).where(Department.code == "HW")):
        db.add(Department(code="HW", name="环境卫生管理处", name_en="Sanitation"))
    db.commit()


def test_role_change_through_the_api(client: TestClient, db: Session) -> None:
    _city(db)
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    headers = auth_headers(client, admin)
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID)
    worker_headers = auth_headers(client, worker)
    url = f"/api/v1/users/{worker.id}"
    # The data scope comes with the role: a handler needs a department.
    missing = client.patch(url, json={"role": "department_handler"}, headers=headers)
    assert missing.status_code == 400 and "部门" in missing.json()["message"]
    moved = client.patch(
        url, json={"role": "department_handler", "department_code": "HW"}, headers=headers
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["role"] == "department_handler" and body["department_code"] == "HW"
    assert body["region_code"] is None  # the grid went with the old role
    # The worker's open session ended: what it may see changed.
    assert client.get("/api/v1/auth/me", headers=worker_headers).status_code == 401
    # Administrator roles are not granted here, whatever else is sent.
    for role in ("security_admin", "system_admin", "auditor"):
        refused = client.patch(url, json={"role": role}, headers=headers)
        assert refused.status_code == 403 and "命令行" in refused.json()["message"]
    assert (
        client.patch(
            f"/api/v1/users/{admin.id}", json={"role": "leader"}, headers=headers
        ).status_code
        == 403
    )  # not one's own account
    system = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    assert client.patch(url, json={"role": "leader"}, headers=system).status_code == 403
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "user.role_change", AuditEntry.object_id == str(worker.id)
        )
    )
    assert entry is not None and entry.before["role"] == "grid_worker"
    assert entry.after["role"] == "department_handler" and entry.after["department_code"] == "HW"


def test_role_change_on_the_admin_page(client: TestClient, db: Session) -> None:
    _city(db)
    admin = create_user(db, role=Role.SECURITY_ADMIN)
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID)
    web_login(client, admin.username)
    page = client.get(f"/admin/users/{worker.id}")
    offered = re.findall(
        r'<option value="([a-z_]+)"', page.text.split('id="role"')[1].split("</select>")[0]
    )
    assert "grid_worker" in offered and "community_staff" in offered
    assert not {"security_admin", "system_admin", "auditor"} & set(offered)
    token = form_token(page.text)
    # A community role needs a 12-digit code: the page says so and nothing changes.
    refused = client.post(
        f"/admin/users/{worker.id}", data={"csrf_token": token, "role": "community_staff"}
    )
    assert refused.status_code == 400 and "12 位区域代码" in refused.text
    db.expire_all()
    assert db.get(User, worker.id).role == "grid_worker"  # type: ignore[union-attr]
    done = client.post(
        f"/admin/users/{worker.id}",
        data={"csrf_token": token, "role": "community_staff", "region_code": GRID[:12]},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(f"/admin/users/{worker.id}")
    assert "社区" in shown.text.split("<h1>")[1].split("</h1>")[0]
    db.expire_all()
    moved = db.get(User, worker.id)
    assert moved is not None and (moved.role, moved.region_code) == ("community_staff", GRID[:12])
