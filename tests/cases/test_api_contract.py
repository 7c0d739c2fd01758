"""What every API client can rely on, whatever the route: one error shape (problem+json),
numbers out of range answered 4xx, timestamps with their offset on both databases, purposes
counted after stripping, and a retried intake with an Idempotency-Key making one case."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
from tests.cases.helpers import POINT_A, Users
from tests.factories import auth_headers, create_user


def test_errors_have_one_shape(client: TestClient, users: Users, city: dict) -> None:
    leader = users(Role.SHIFT_LEADER)
    for response in (
        client.get("/api/v1/cases/999999", headers=leader),  # business error
        client.get("/api/v1/cases/not-a-number", headers=leader),  # validation
        client.get("/api/v1/no-such-route", headers=leader),  # routing
        client.get("/api/v1/cases"),  # no credentials
    ):
        assert response.headers["content-type"] == "application/problem+json", response.text
        body = response.json()
        assert body["status"] == response.status_code >= 400
        assert body["type"].startswith("urn:gridgov:problem:") and body["title"]
        assert body["message"] and body["message_en"] and body["detail"]


def test_numbers_past_the_database_are_not_server_errors(
    client: TestClient, users: Users, city: dict
) -> None:
    leader = users(Role.SHIFT_LEADER)
    for url in ("/api/v1/cases/9223372036854775808", "/api/v1/persons/99999999999999999999"):
        response = client.get(url, headers=leader)
        assert 400 <= response.status_code < 500, (url, response.text)


def test_a_category_field_sent_as_null_is_a_validation_error(
    client: TestClient, db: Session, city: dict
) -> None:
    admin = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    for field in ("active", "handle_minutes", "handle_unit", "warn_share"):
        response = client.patch("/api/v1/cases/categories/E0102", json={field: None}, headers=admin)
        assert response.status_code == 422, (field, response.text)
        assert response.json()["errors"][0]["loc"][-1] == field


def test_a_category_can_be_switched_off_and_on(client: TestClient, db: Session, city: dict) -> None:
    admin = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    url = "/api/v1/cases/categories/E0102"
    off = client.patch(url, json={"active": False}, headers=admin)  # was a 500 (StopIteration)
    assert off.status_code == 200 and off.json()["code"] == "E0102", off.text
    listed = client.get("/api/v1/cases/categories", headers=admin).json()
    assert "E0102" not in {c["code"] for c in listed}
    assert client.patch(url, json={"active": True}, headers=admin).status_code == 200


def test_timestamps_carry_their_offset(client: TestClient, users: Users, city: dict) -> None:
    clerk = users(Role.INTAKE_CLERK)
    body = {"channel": "hotline", "category_code": "E0102", "description": "垃圾满溢"}
    created = client.post(
        "/api/v1/cases", json={**body, "lng": POINT_A[0], "lat": POINT_A[1]}, headers=clerk
    )
    assert created.status_code == 201, created.text
    read = client.get(f"/api/v1/cases/{created.json()['id']}", headers=clerk).json()
    for field in ("reported_at", "step_due_at"):
        value = read[field]
        assert value.endswith(("Z", "+00:00")) or value[-6] in "+-", (field, value)


def test_a_purpose_is_counted_after_stripping(client: TestClient, users: Users, city: dict) -> None:
    clerk = users(Role.INTAKE_CLERK)
    body = {
        "channel": "hotline",
        "category_code": "E0102",
        "description": "x",
        "lng": POINT_A[0],
        "lat": POINT_A[1],
        "reporter_phone": "13800001234",
    }
    case_id = client.post("/api/v1/cases", json=body, headers=clerk).json()["id"]
    url = f"/api/v1/cases/{case_id}/reporter-phone"
    assert client.post(url, json={"purpose": "  x "}, headers=clerk).status_code == 422
    assert client.post(url, json={"purpose": " 回访 "}, headers=clerk).status_code == 200


def test_a_retried_intake_makes_one_case(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    clerk = users(Role.INTAKE_CLERK)
    body = {
        "channel": "hotline",
        "category_code": "E0102",
        "description": "路灯不亮",
        "lng": POINT_A[0],
        "lat": POINT_A[1],
    }
    headers = {**clerk, "Idempotency-Key": "retry-1"}
    first = client.post("/api/v1/cases", json=body, headers=headers)
    again = client.post("/api/v1/cases", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    count = db.scalar(select(func.count()).select_from(Case).where(Case.description == "路灯不亮"))
    assert count == 1
    other = client.post("/api/v1/cases", json={**body, "description": "别的"}, headers=headers)
    assert other.status_code == 409 and other.json()["code"] == "conflict"
    # Another user's same key is another key.
    dispatcher = {**users(Role.DISPATCHER), "Idempotency-Key": "retry-1"}
    assert client.post("/api/v1/cases", json=body, headers=dispatcher).status_code == 201
