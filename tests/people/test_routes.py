from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.people.identifiers import make_credit_code, make_resident_id
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A, GRID_OTHER

ID_1 = make_resident_id("420502", date(1960, 5, 4), 21)


def _person(client: TestClient, headers: dict[str, str], **extra: object) -> dict:
    body = {
        "id_number": ID_1,
        "name": "陈桂英",
        "grid_code": GRID_A,
        "phone": "13612345678",
        "tags": [{"code": "elderly_alone", "source": "grid_worker"}],
        **extra,
    }
    response = client.post("/api/v1/persons", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_person_lifecycle_through_the_api(
    client: TestClient, db: Session, grids: list[str]
) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    headers = auth_headers(client, worker)
    house = client.post(
        "/api/v1/houses",
        json={"address": "宜昌市西陵区解放路12号3栋2单元401", "grid_code": GRID_A},
        headers=headers,
    )
    assert house.status_code == 201, house.text
    household = client.post(
        "/api/v1/households",
        json={"grid_code": GRID_A, "house_id": house.json()["id"]},
        headers=headers,
    )
    assert household.status_code == 201, household.text
    person = _person(
        client,
        headers,
        household_id=household.json()["id"],
        relation_to_head="head",
        house_id=house.json()["id"],
    )
    assert person["id_number_masked"] == ID_1[:6] + "********" + ID_1[-4:]
    assert person["phone_masked"] == "136****5678"
    assert "id_number" not in person

    detail = client.get(f"/api/v1/persons/{person['id']}", headers=headers).json()
    assert detail["household"]["id"] == household.json()["id"]
    assert detail["house"]["address"].endswith("401")
    assert [m["id"] for m in detail["members"]] == [person["id"]]

    listed = client.get("/api/v1/persons", params={"q": "chen"}, headers=headers).json()
    assert listed["total"] == 1
    by_id = client.get("/api/v1/persons", params={"q": ID_1}, headers=headers).json()
    assert by_id["total"] == 1
    tagged = client.get("/api/v1/persons", params={"tag": "elderly_alone"}, headers=headers)
    assert tagged.json()["total"] == 1

    changed = client.patch(
        f"/api/v1/persons/{person['id']}",
        json={
            "current_address": "宜昌市西陵区解放路12号3栋2单元402",
            "base_version": 1,
            "reason": "搬家",
        },
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2
    stale = client.patch(
        f"/api/v1/persons/{person['id']}",
        json={"current_address": "别处", "base_version": 1},
        headers=headers,
    )
    assert stale.status_code == 409
    assert stale.json()["message"].startswith("记录已被他人修改")
    history = client.get(f"/api/v1/persons/{person['id']}/history", headers=headers).json()
    assert [h["version"] for h in history] == [1, 2]
    assert history[1]["change_reason"] == "搬家"

    full = client.post(
        f"/api/v1/persons/{person['id']}/full-view",
        json={"purpose": "核实独居老人身份"},
        headers=headers,
    )
    assert full.status_code == 200, full.text
    assert full.json()["id_number"] == ID_1 and full.json()["phone"] == "13612345678"
    assert db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "person.full_view", AuditEntry.purpose == "核实独居老人身份"
        )
    )
    counts = client.get(
        "/api/v1/population/counts", params={"region": [GRID_A]}, headers=headers
    ).json()
    assert counts[GRID_A]["persons"] == 1 and counts[GRID_A]["elderly_alone"] == 1


def test_roles_and_scope(client: TestClient, db: Session, grids: list[str]) -> None:
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code="420502")
    staff_headers = auth_headers(client, staff)
    person = _person(client, staff_headers, grid_code=GRID_OTHER)
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    worker_headers = auth_headers(client, worker)
    assert client.get(f"/api/v1/persons/{person['id']}", headers=worker_headers).status_code == 404
    assert client.get("/api/v1/persons", headers=worker_headers).json()["total"] == 0
    assert client.post("/api/v1/persons", json={}, headers=worker_headers).status_code == 422
    outside = client.post(
        "/api/v1/persons",
        json={
            "id_number": make_resident_id("420502", date(1990, 1, 1), 3),
            "name": "李雷",
            "grid_code": GRID_OTHER,
        },
        headers=worker_headers,
    )
    assert outside.status_code == 403

    leader = create_user(db, role=Role.LEADER)
    leader_headers = auth_headers(client, leader)
    assert client.get(f"/api/v1/persons/{person['id']}", headers=leader_headers).status_code == 200
    assert (
        client.post(
            f"/api/v1/persons/{person['id']}/full-view",
            json={"purpose": "看看"},
            headers=leader_headers,
        ).status_code
        == 403
    )
    auditor = create_user(db, role=Role.AUDITOR)
    assert client.get("/api/v1/persons", headers=auth_headers(client, auditor)).status_code == 403
    assert client.get("/api/v1/persons").status_code == 401


def test_bad_id_gets_chinese_message(client: TestClient, db: Session, grids: list[str]) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    bad = ID_1[:-1] + ("1" if ID_1[-1] != "1" else "2")
    response = client.post(
        "/api/v1/persons",
        json={"id_number": bad, "name": "陈桂英", "grid_code": GRID_A},
        headers=auth_headers(client, worker),
    )
    assert response.status_code == 422
    assert "校验码错误" in response.text


def test_organisations_api(client: TestClient, db: Session, grids: list[str]) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    headers = auth_headers(client, staff)
    code = make_credit_code("9", "2", "420502", "MA4XY812K")
    created = client.post(
        "/api/v1/organisations",
        json={
            "credit_code": code,
            "name": "张记热干面馆",
            "org_type": "individual_business",
            "industry": "restaurant",
            "grid_code": GRID_A,
            "legal_representative": "张三",
            "licences": [
                {"kind": "food_business", "number": "JY14205020001", "valid_until": "2028-01-01"}
            ],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    org = created.json()
    bad = client.post(
        "/api/v1/organisations",
        json={
            "credit_code": code[:-1] + ("0" if code[-1] != "0" else "1"),
            "name": "某店",
            "grid_code": GRID_A,
        },
        headers=headers,
    )
    assert bad.status_code == 422 and "校验码" in bad.text
    closed = client.patch(
        f"/api/v1/organisations/{org['id']}",
        json={"status": "closed", "base_version": 1, "reason": "注销"},
        headers=headers,
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    listed = client.get("/api/v1/organisations", params={"industry": "restaurant"}, headers=headers)
    assert listed.json()["total"] == 1
    history = client.get(f"/api/v1/organisations/{org['id']}/history", headers=headers).json()
    assert [h["version"] for h in history] == [1, 2]


def test_import_api_dry_run_and_commit(client: TestClient, db: Session, grids: list[str]) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    headers = auth_headers(client, staff)
    content = f"身份证号,姓名,网格编码\n{ID_1},陈桂英,{GRID_A}\n{ID_1},重复,{GRID_A}\n".encode()
    dry = client.post(
        "/api/v1/persons/import",
        files={"file": ("p.csv", content, "text/csv")},
        headers=headers,
    )
    assert dry.status_code == 200, dry.text
    body = dry.json()
    assert body["valid"] == 1 and body["rejected"] == 1 and not body["committed"]
    assert body["errors"][0]["row"] == 3
    done = client.post(
        "/api/v1/persons/import",
        params={"commit": "true"},
        files={"file": ("p.csv", content, "text/csv")},
        headers=headers,
    )
    assert done.json()["persons_created"] == 1
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    refused = client.post(
        "/api/v1/persons/import",
        files={"file": ("p.csv", content, "text/csv")},
        headers=auth_headers(client, worker),
    )
    assert refused.status_code == 403
