from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal, Role
from gridgov.models.audit import AuditEntry
from tests.factories import auth_headers, create_user


def test_only_auditors_read_the_trail(client: TestClient, db: Session) -> None:
    assert client.get("/api/v1/audit").status_code == 401
    for role in (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.LEADER, Role.GRID_WORKER):
        user = create_user(db, role=role)
        response = client.get("/api/v1/audit", headers=auth_headers(client, user))
        assert response.status_code == 403, role


def test_denied_access_is_written_to_the_trail(client: TestClient, db: Session) -> None:
    leader = create_user(db, role=Role.LEADER)
    assert client.get("/api/v1/audit", headers=auth_headers(client, leader)).status_code == 403
    entry = db.scalar(
        select(AuditEntry)
        .where(AuditEntry.action == "access.denied", AuditEntry.user_id == leader.id)
        .order_by(AuditEntry.id.desc())
    )
    assert entry is not None
    assert entry.outcome == "denied"
    assert entry.object_id == "GET /api/v1/audit"
    assert entry.request_id


def test_filters_and_pagination(client: TestClient, db: Session) -> None:
    auditor = create_user(db, role=Role.AUDITOR)
    bob = Principal(user_id=4242, username="bob", role=Role.DISPATCHER)
    for i in range(3):
        trail.record(db, action="case.dispatch", object_type="case", object_id=i, principal=bob)
    trail.record(db, action="case.close", object_type="case", object_id=1, principal=bob)
    db.commit()
    headers = auth_headers(client, auditor)

    page = client.get("/api/v1/audit", headers=headers, params={"user": "bob"}).json()
    assert page["total"] == 4
    assert {e["action"] for e in page["items"]} == {"case.dispatch", "case.close"}
    assert page["items"][0]["action"] == "case.close"  # newest first

    by_object = client.get(
        "/api/v1/audit", headers=headers, params={"object_type": "case", "object_id": "1"}
    ).json()
    assert by_object["total"] == 2
    family = client.get("/api/v1/audit", headers=headers, params={"action": "case."}).json()
    assert family["total"] == 4
    paged = client.get("/api/v1/audit", headers=headers, params={"user": "4242", "limit": 2})
    assert len(paged.json()["items"]) == 2
    failed = client.get("/api/v1/audit", headers=headers, params={"since": "not-a-date"})
    assert failed.status_code == 400
    empty = client.get("/api/v1/audit", headers=headers, params={"user": "bob", "since": ""})
    assert empty.json()["total"] == 4
    since = client.get(
        "/api/v1/audit",
        headers=headers,
        params={"user": "bob", "since": "2000-01-01T00:00:00+08:00"},
    ).json()
    assert since["total"] == 4
    until = client.get(
        "/api/v1/audit", headers=headers, params={"user": "bob", "until": "2000-01-01T00:00:00Z"}
    ).json()
    assert until["total"] == 0


def test_csv_export_is_safe_for_spreadsheets_and_trailed(client: TestClient, db: Session) -> None:
    auditor = create_user(db, role=Role.AUDITOR)
    trail.record(db, action="case.create", object_type="case", note='=HYPERLINK("x")')
    db.commit()
    headers = auth_headers(client, auditor)
    response = client.get(
        "/api/v1/audit/export.csv", headers=headers, params={"action": "case.create"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffid,seq,at")
    assert "'=HYPERLINK" in text
    exported = db.scalar(select(AuditEntry).where(AuditEntry.action == "audit.export"))
    assert exported is not None and exported.user_id == auditor.id


def test_verify_endpoint(client: TestClient, db: Session) -> None:
    auditor = create_user(db, role=Role.AUDITOR)
    body = client.get("/api/v1/audit/verify", headers=auth_headers(client, auditor)).json()
    assert body["ok"] is True and body["first_broken"] is None
    assert body["checked"] >= 1


def test_audit_page(client: TestClient, db: Session) -> None:
    from tests.auth.test_pages import web_login

    anonymous = client.get("/audit", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=/audit")
    auditor = create_user(db, role=Role.AUDITOR)
    trail.record(db, action="case.create", object_type="case", note="<script>alert(1)</script>")
    db.commit()
    web_login(client, auditor.username)
    page = client.get("/audit", params={"action": "case.create"})
    assert page.status_code == 200
    assert "case.create" in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "/api/v1/audit/export.csv?action=case.create" in page.text
    # the filter form as a browser sends it: empty fields and datetime-local (Beijing time)
    form = client.get(
        "/audit",
        params={"user": "", "action": "case.create", "since": "2000-01-01T08:00", "until": ""},
    )
    assert form.status_code == 200 and "case.create" in form.text
    assert 'value="2000-01-01T08:00"' in form.text


def test_audit_page_refuses_other_roles(client: TestClient, db: Session) -> None:
    from tests.auth.test_pages import web_login

    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    web_login(client, admin.username)
    assert client.get("/audit").status_code == 403
