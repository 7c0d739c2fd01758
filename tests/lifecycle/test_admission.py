"""准入: a task type not admitted is refused with its name; the admission office admits and
withdraws, sees each worker's admitted minutes against the duty and the diversions reported
from the phone; a declared data need is served masked, and every read is in the trail."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from tests.factories import auth_headers, create_user
from tests.lifecycle.conftest import MOTHER_ID

ADMISSION = {
    "kind": "census_survey",
    "title": "人口普查入户登记",
    "reference": "准入〔2026〕21号",
    "legal_basis": "《全国人口普查条例》",
    "department_code": "statistics",
    "frequency": "十年一次",
    "fields": ["name", "id_number", "household_size"],
    "minutes_per_task": 40,
}


def test_a_type_not_admitted_is_refused_until_admitted_and_again_after_withdrawal(
    client: TestClient, db: Session, grid, worker, worker_headers
) -> None:
    staff = auth_headers(
        client, create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    )
    office = auth_headers(client, create_user(db, role=Role.ADMISSION_OFFICE))
    body = {"kind": "census_survey", "title": "普查登记", "grid_code": grid.code}
    refused = client.post("/api/v1/tasks", json=body, headers=staff)
    assert refused.status_code == 400
    assert "census_survey" in refused.json()["message"] and "未经准入" in refused.json()["message"]

    admitted = client.post("/api/v1/lifecycle/admissions", json=ADMISSION, headers=office)
    assert admitted.status_code == 201, admitted.text
    held = {h["field"]: h for h in admitted.json()["already_held"]}
    assert set(held) == {"name", "id_number"}  # household_size is new
    assert held["id_number"]["holder"] == "人口库" and "公安" in held["id_number"]["source"]

    made = client.post("/api/v1/tasks", json=body, headers=staff)
    assert made.status_code == 201, made.text
    bundle = client.get("/api/v1/field/bundle", headers=worker_headers).json()
    assert [t["admission_ref"] for t in bundle["tasks"]] == ["准入〔2026〕21号"]
    # The phone names the kind with the admitted type's title, never its code.
    assert [t["kind_title"] for t in bundle["tasks"]] == [ADMISSION["title"]]

    month = made.json()["created_at"][:7]
    load = client.get(
        "/api/v1/lifecycle/admissions/workload", params={"month": month}, headers=office
    ).json()
    [mine] = [w for w in load if w["user_id"] == worker.id]
    assert (mine["tasks"], mine["minutes"]) == (1, 40)
    assert mine["duty_minutes"] >= 15 * 420  # a month's working days × 7 hours

    diverted = client.post(
        "/api/v1/lifecycle/diversions",
        json={
            "day": f"{month}-01",
            "minutes": 180,
            "requested_by": "街道办",
            "description": "迎检布展",
        },
        headers=worker_headers,
    )
    assert diverted.status_code == 201, diverted.text
    load = client.get(
        "/api/v1/lifecycle/admissions/workload", params={"month": month}, headers=office
    ).json()
    assert [w["diverted_minutes"] for w in load if w["user_id"] == worker.id] == [180]

    withdrawn = client.post(
        "/api/v1/lifecycle/admissions/census_survey/withdraw",
        json={"note": "普查结束"},
        headers=office,
    )
    assert withdrawn.json()["withdrawn_reason"] == "普查结束"
    assert client.post("/api/v1/tasks", json=body, headers=staff).status_code == 400


def test_a_data_need_is_served_masked_only_once_approved_and_every_read_is_logged(
    client: TestClient, db: Session, family
) -> None:
    civil = auth_headers(
        client, create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="MZ")
    )
    other = auth_headers(
        client, create_user(db, role=Role.DEPARTMENT_HANDLER, department_code="JY")
    )
    office = auth_headers(client, create_user(db, role=Role.ADMISSION_OFFICE))
    declared = client.post(
        "/api/v1/lifecycle/data-needs",
        json={
            "fields": ["name", "id_number", "birth_date"],
            "purpose": "高龄津贴资格核对",
            "legal_basis": "《湖北省高龄津贴发放办法》",
        },
        headers=civil,
    )
    assert declared.status_code == 201, declared.text
    need = declared.json()["id"]
    records = f"/api/v1/lifecycle/data-needs/{need}/records"
    assert client.get(records, headers=civil).status_code == 403  # not approved yet
    approved = client.post(
        f"/api/v1/lifecycle/data-needs/{need}/approve", json={"note": "同意"}, headers=office
    )
    assert approved.json()["state"] == "approved"

    rows = client.get(records, params={"grid": family.house.grid_code}, headers=civil).json()
    mother = next(r for r in rows if r["name"] == "李娟")
    assert set(mother) == {"person_id", "name", "id_number", "birth_date"}  # nothing else
    assert mother["id_number"] == MOTHER_ID[:6] + "********" + MOTHER_ID[-4:]
    assert MOTHER_ID not in str(rows)
    # Another department does not even find the need.
    assert client.get(records, headers=other).status_code == 404
    logged = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "data_need.read", AuditEntry.object_id == str(need)
        )
    ).all()
    assert [(e.purpose, (e.after or {})["rows"]) for e in logged] == [
        ("高龄津贴资格核对", len(rows))
    ]
