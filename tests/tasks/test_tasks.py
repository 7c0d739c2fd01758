"""Worker tasks: staff create, the grid's worker accepts and completes (online or through sync);
a problem report becomes a case; a case awaiting the on-site check is the worker's task and
completing it verifies the case."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case
from gridgov.tasks.sources import make_verification_task
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import INSIDE, new_uuid


def test_staff_task_accept_complete(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    staff_headers = auth_headers(client, staff)
    body = {
        "kind": "home_visit",
        "title": "走访独居老人",
        "grid_code": grid.code,
        "module_code": "special_visits",
    }
    created = client.post("/api/v1/tasks", json=body, headers=staff_headers)
    assert created.status_code == 201, created.text
    task_id = created.json()["id"]
    assert [t["id"] for t in client.get("/api/v1/tasks", headers=worker_headers).json()] == [
        task_id
    ]
    assert (
        client.post(f"/api/v1/tasks/{task_id}/accept", headers=worker_headers).json()["state"]
        == "accepted"
    )
    record = {
        "uuid": new_uuid(),
        "kind": "task_result",
        "task_id": task_id,
        "module": "special_visits",
        "data": {
            "group": "elderly_alone",
            "visit_date": "2026-11-25",
            "condition": "stable",
            "needs_help": "no",
        },
    }
    result = client.post(
        "/api/v1/field/sync", json={"records": [record]}, headers=worker_headers
    ).json()
    assert result["results"][0]["status"] == "stored", result
    assert result["results"][0]["ref"] == f"task:{task_id}"
    task = client.get(f"/api/v1/tasks/{task_id}", headers=worker_headers).json()
    assert task["state"] == "done" and task["result"]["condition"] == "stable"
    assert client.get("/api/v1/tasks", headers=worker_headers).json() == []
    # Re-sending the same record is a duplicate, not a second completion.
    again = client.post(
        "/api/v1/field/sync", json={"records": [record]}, headers=worker_headers
    ).json()
    assert again["results"][0]["status"] == "duplicate"


def test_other_grids_cannot_see_or_create(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    elsewhere = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420502001002")
    body = {"kind": "home_visit", "title": "x", "grid_code": grid.code}
    assert (
        client.post("/api/v1/tasks", json=body, headers=auth_headers(client, elsewhere)).status_code
        == 403
    )
    assert client.post("/api/v1/tasks", json=body, headers=worker_headers).status_code == 403
    neighbour = create_user(db, role=Role.GRID_WORKER, region_code="420502001001002")
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    task_id = client.post("/api/v1/tasks", json=body, headers=auth_headers(client, staff)).json()[
        "id"
    ]
    assert (
        client.get(f"/api/v1/tasks/{task_id}", headers=auth_headers(client, neighbour)).status_code
        == 404
    )


def test_report_becomes_case_and_verification_task(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    report = {
        "uuid": new_uuid(),
        "kind": "report",
        "data": {"category": "E0101", "description": "小区内私搭乱建", "photos": []},
        "lng": INSIDE[0],
        "lat": INSIDE[1],
    }
    response = client.post("/api/v1/field/sync", json={"records": [report]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert result["status"] == "stored", result
    assert result["ref"] and result["ref"].startswith("case:"), result
    case = db.scalars(select(Case).where(Case.external_id == report["uuid"])).one()
    assert (case.channel, case.grid_code, case.state) == ("worker_app", grid.code, "reported")
    [mine] = client.get(
        "/api/v1/field/submissions", params={"kind": "report"}, headers=worker_headers
    ).json()
    assert (mine["case_state"], mine["case_number"]) == ("reported", case.number)

    # The department reported back (the feedback move makes the task: tested in cases/).
    case.state = "handled"
    make_verification_task(db, case)
    [task] = client.get("/api/v1/tasks", headers=worker_headers).json()
    assert (task["kind"], task["subject_id"]) == ("case_verification", str(case.id))
    # The on-site check is never refused (the worker gives its result, pass or fail).
    refused = client.post(f"/api/v1/tasks/{task['id']}/refuse", json={}, headers=worker_headers)
    assert refused.status_code == 409 and "核查" in refused.json()["detail"]
    record = {
        "uuid": new_uuid(),
        "kind": "task_result",
        "task_id": task["id"],
        "data": {"result": "pass", "note": "已拆除"},
    }
    response = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    assert response.json()["results"][0]["status"] == "stored", response.json()
    db.refresh(case)
    assert (case.state, case.verify_result) == ("verified", "pass")


def test_second_result_for_a_done_task_is_an_error_not_a_conflict(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    body = {"kind": "home_visit", "title": "走访", "grid_code": grid.code}
    task_id = client.post("/api/v1/tasks", json=body, headers=auth_headers(client, staff)).json()[
        "id"
    ]
    first = {"uuid": new_uuid(), "kind": "task_result", "task_id": task_id, "data": {"note": "ok"}}
    second = {**first, "uuid": new_uuid(), "data": {"note": "again"}}
    response = client.post(
        "/api/v1/field/sync", json={"records": [first, second]}, headers=worker_headers
    )
    assert [r["status"] for r in response.json()["results"]] == ["stored", "stored"]
    mine = {
        s["uuid"]: s["state"]
        for s in client.get("/api/v1/field/submissions", headers=worker_headers).json()
    }
    assert (mine[first["uuid"]], mine[second["uuid"]]) == ("applied", "error")
