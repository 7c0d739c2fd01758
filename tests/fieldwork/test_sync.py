"""The sync contract through the API: stored once, duplicates acknowledged, 409 kept for review,
invalid records explained, stale updates kept as conflicts."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import population_record

SYNC = "/api/v1/field/sync"


def count(db: Session, model: Any) -> int:
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_batch_stores_each_record_once(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    records = [population_record() for _ in range(3)]
    first = client.post(SYNC, json={"records": records}, headers=worker_headers)
    assert first.status_code == 200, first.text
    assert [r["status"] for r in first.json()["results"]] == ["stored"] * 3
    assert {r["code"] for r in first.json()["results"]} == {201}

    again = client.post(SYNC, json={"records": records}, headers=worker_headers)
    assert [r["status"] for r in again.json()["results"]] == ["duplicate"] * 3
    assert [r["id"] for r in again.json()["results"]] == [r["id"] for r in first.json()["results"]]
    assert count(db, FieldSubmission) == 3
    stored = db.scalars(
        select(FieldSubmission).where(FieldSubmission.uuid == records[0]["uuid"])
    ).one()
    assert stored.grid_code == "420502001001001"
    assert stored.data["age"] >= 76  # the server's calculation is what is stored
    assert stored.module_version == 1


def test_same_uuid_different_content_is_409_and_kept_for_review(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    record = population_record()
    assert client.post(SYNC, json={"records": [record]}, headers=worker_headers).status_code == 200
    changed = {**record, "data": {**record["data"], "name": "李娜"}}
    response = client.post(SYNC, json={"records": [changed]}, headers=worker_headers)
    [result] = response.json()["results"]
    assert (result["status"], result["code"]) == ("rejected", 409)
    single = client.put(
        f"/api/v1/field/records/{record['uuid']}", json=changed, headers=worker_headers
    )
    assert single.status_code == 409
    assert single.json()["code"] == "uuid_reused"
    assert single.headers["content-type"] == "application/problem+json"
    stored = db.scalars(select(FieldSubmission).where(FieldSubmission.uuid == record["uuid"])).one()
    assert stored.data["name"] == "张丽"  # never overwritten
    conflicts = db.scalars(select(SyncConflict)).all()
    assert [(c.kind, c.record["data"]["name"]) for c in conflicts] == [("uuid_mismatch", "李娜")]


def test_single_record_endpoint_codes(client: TestClient, worker_headers: dict) -> None:
    record = population_record()
    url = f"/api/v1/field/records/{record['uuid']}"
    assert client.put(url, json=record, headers=worker_headers).status_code == 201
    assert client.put(url, json=record, headers=worker_headers).status_code == 200
    bad = population_record(data={"name": "x"})
    response = client.put(f"/api/v1/field/records/{bad['uuid']}", json=bad, headers=worker_headers)
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"id_number", "sex", "birth_date", "residence"} <= fields


def test_duplicates_inside_one_batch(client: TestClient, db: Session, worker_headers: dict) -> None:
    record = population_record()
    other = {**record, "data": {**record["data"], "name": "王芳"}}
    response = client.post(SYNC, json={"records": [record, record, other]}, headers=worker_headers)
    assert [r["status"] for r in response.json()["results"]] == ["stored", "duplicate", "rejected"]
    assert count(db, FieldSubmission) == 1


def test_invalid_records_are_not_stored_and_do_not_block_the_batch(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    good = population_record()
    bad = population_record(data={**good["data"], "id_number": "123"})
    unknown_module = population_record(module="nope")
    response = client.post(
        SYNC, json={"records": [bad, good, unknown_module]}, headers=worker_headers
    )
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["invalid", "stored", "invalid"]
    assert response.json()["results"][0]["errors"][0]["field"] == "id_number"
    assert count(db, FieldSubmission) == 1


def test_malformed_body_is_422_and_other_roles_are_refused(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    response = client.post(SYNC, json={"records": [{"uuid": "not-a-uuid"}]}, headers=worker_headers)
    assert response.status_code == 422
    clerk = create_user(db, role=Role.INTAKE_CLERK)
    response = client.post(
        SYNC, json={"records": [population_record()]}, headers=auth_headers(client, clerk)
    )
    assert response.status_code == 403
    assert client.post(SYNC, json={"records": []}).status_code == 401


def test_batch_is_one_trail_entry(client: TestClient, db: Session, worker_headers: dict) -> None:
    before = count(db, AuditEntry)
    records = [population_record() for _ in range(5)]
    client.post(SYNC, json={"records": records}, headers=worker_headers)
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "field.sync")).all()
    assert len(entries) == 1
    assert sorted(entries[0].after["stored"]) == sorted(r["uuid"] for r in records)
    assert count(db, AuditEntry) > before


def test_worker_lists_own_submissions_only(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    client.post(SYNC, json={"records": [population_record()]}, headers=worker_headers)
    neighbour = create_user(db, role=Role.GRID_WORKER, region_code="420502001001002")
    mine = client.get("/api/v1/field/submissions", headers=worker_headers).json()
    theirs = client.get("/api/v1/field/submissions", headers=auth_headers(client, neighbour)).json()
    assert len(mine) == 1 and theirs == []


def test_modules_are_served_to_the_phone(client: TestClient, worker_headers: dict) -> None:
    modules = client.get("/api/v1/field/modules", headers=worker_headers).json()
    assert len(modules) == 10
    population = next(m for m in modules if m["code"] == "population")
    assert population["target"] == "person"
    definition = population["definition"]  # pyxform's JSON form
    assert (definition["type"], definition["id_string"]) == ("survey", "population")
    assert definition["children"][0]["name"] == "name"
    assert definition["children"][0]["label"]["English (en)"] == "Name"


def test_admin_adds_a_tenth_module_and_broken_file_is_rejected(
    client: TestClient, db: Session
) -> None:
    from tests.fieldwork.test_forms import xlsx

    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    headers = auth_headers(client, admin)
    content = xlsx([["type", "name", "label", "required"], ["text", "shop", "店名", "yes"]])
    files = {"file": ("tenth_module.xlsx", content, "application/octet-stream")}
    response = client.post("/api/v1/field/modules", files=files, headers=headers)
    assert response.status_code == 201, response.text
    assert (response.json()["code"], response.json()["version"]) == ("tenth_module", 1)
    assert len(client.get("/api/v1/field/modules", headers=headers).json()) == 11
    broken = xlsx([["type", "name", "label"], ["text", "a", "A"], ["text", "a", "B"]])
    response = client.post(
        "/api/v1/field/modules", files={"file": ("b.xlsx", broken)}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["row"] == 3
    worker = create_user(db, role=Role.GRID_WORKER)
    response = client.post(
        "/api/v1/field/modules", files=files, headers=auth_headers(client, worker)
    )
    assert response.status_code == 403


def test_record_names_an_existing_module_version(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    record = population_record(module_version=1)
    response = client.post(SYNC, json={"records": [record]}, headers=worker_headers)
    assert response.json()["results"][0]["status"] == "stored"
    missing = population_record(module_version=7)
    response = client.post(SYNC, json={"records": [missing]}, headers=worker_headers)
    assert response.json()["results"][0]["status"] == "invalid"
