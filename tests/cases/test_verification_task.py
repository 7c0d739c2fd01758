"""The on-site verification task is made by the feedback move and reaches the phone through the
app's own bundle (never through a read of the task list); finishing it verifies the case;
leaving ``handled`` another way cancels it; a client cannot choose a task's identity."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.task import Task
from tests.cases.helpers import GRID_A, Users, move, report


def _handled_case(client: TestClient, users: Users) -> int:
    clerk, dispatcher = users(Role.INTAKE_CLERK), users(Role.DISPATCHER)
    department = users(Role.DEPARTMENT_HANDLER)
    cid = int(report(client, clerk)["id"])
    move(client, clerk, cid, "register")
    move(client, dispatcher, cid, "dispatch")
    move(client, department, cid, "accept")
    assert move(client, department, cid, "feedback", note="已清运")["state"] == "handled"
    return cid


def _bundle_tasks(client: TestClient, worker: dict) -> list[dict]:
    bundle = client.get("/api/v1/field/bundle", headers=worker)
    assert bundle.status_code == 200, bundle.text
    return [t for t in bundle.json()["tasks"] if t["kind"] == "case_verification"]


def test_feedback_puts_the_task_on_the_phone_and_the_task_verifies(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    worker = users(Role.GRID_WORKER)
    assert _bundle_tasks(client, worker) == []
    cid = _handled_case(client, users)
    [task] = _bundle_tasks(client, worker)
    assert (task["subject_id"], task["grid_code"]) == (str(cid), GRID_A)
    assert task["due_at"]  # the verify step's deadline
    # Made by the system, in the trail, never by somebody reading a list.
    made_by = db.scalars(
        select(AuditEntry.username).where(
            AuditEntry.action == "task.create", AuditEntry.object_id == str(task["id"])
        )
    ).one()
    assert made_by == "system:case-verification"
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "task_result",
        "task_id": task["id"],
        "data": {"result": "pass", "note": "现场已清理"},
    }
    synced = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker).json()
    assert synced["results"][0]["status"] == "stored", synced
    leader = users(Role.SHIFT_LEADER)
    assert client.get(f"/api/v1/cases/{cid}", headers=leader).json()["state"] == "verified"
    assert _bundle_tasks(client, worker) == []


def test_verified_elsewhere_cancels_the_task_and_rework_makes_a_new_one(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    worker, leader = users(Role.GRID_WORKER), users(Role.SHIFT_LEADER)
    department = users(Role.DEPARTMENT_HANDLER)
    cid = _handled_case(client, users)
    [first] = _bundle_tasks(client, worker)
    assert move(client, worker, cid, "verify", result="fail", note="仍有垃圾")["state"]
    assert db.get(Task, first["id"]).state == "cancelled"  # type: ignore[union-attr]
    assert _bundle_tasks(client, worker) == []
    move(client, leader, cid, "rework", note="请彻底清理")
    move(client, department, cid, "accept")
    move(client, department, cid, "feedback", note="已彻底清理")
    [second] = _bundle_tasks(client, worker)
    assert second["id"] != first["id"]


def test_a_client_cannot_choose_a_tasks_identity(
    client: TestClient, users: Users, city: dict
) -> None:
    staff = users(Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    body = {"kind": "home_visit", "title": "走访", "grid_code": GRID_A}
    squat = client.post(
        "/api/v1/tasks", json={**body, "source_ref": "case:1:verify:0"}, headers=staff
    )
    assert squat.status_code == 422
    assert any(e["loc"][-1] == "source_ref" for e in squat.json()["errors"])


def test_the_phones_photo_goes_with_the_verification(
    client: TestClient, users: Users, city: dict
) -> None:
    """The worker's site photo (uploaded by the app before the record) is on the case after the
    task verifies it, as a photo of the verify step."""
    worker = users(Role.GRID_WORKER)
    cid = _handled_case(client, users)
    [task] = _bundle_tasks(client, worker)
    content = b"\xff\xd8\xff\xe0" + b"\x00" * 256
    upload = str(uuid.uuid4())
    head = {"id": upload, "filename": "site.jpg", "content_type": "image/jpeg"}
    assert (
        client.post(
            "/api/v1/field/uploads", json={**head, "size": len(content)}, headers=worker
        ).status_code
        == 201
    )
    sent = client.put(
        f"/api/v1/field/uploads/{upload}",
        params={"offset": 0},
        content=content,
        headers={**worker, "Content-Type": "application/octet-stream"},
    ).json()
    record = {
        "uuid": str(uuid.uuid4()),
        "kind": "task_result",
        "task_id": task["id"],
        "data": {"result": "pass", "note": "现场已清理", "photos": [str(sent["media_id"])]},
    }
    synced = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker).json()
    assert synced["results"][0]["status"] == "stored", synced
    case = client.get(f"/api/v1/cases/{cid}", headers=users(Role.SHIFT_LEADER)).json()
    assert case["state"] == "verified" and case["photo_ids"] == [sent["media_id"]]
