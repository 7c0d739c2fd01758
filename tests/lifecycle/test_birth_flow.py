"""The birth flow through the API: hospital record → task on the worker's phone (admission
reference, due in 3 working days, household prefilled) → completed through sync → newborn in the
base without an ID, linked to parents and household, with a proxy service open → the police's
ID closes it. A family that does not live there becomes a finding for community staff."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.lifecycle import FamilyLink, ProxyService
from gridgov.models.person import Person
from gridgov.people.identifiers import make_resident_id
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import new_uuid
from tests.lifecycle.conftest import MOTHER_ID, birth_event

EVENTS = "/api/v1/lifecycle/events"


def visit(task_id: int, **data: str) -> dict:
    answers = {"baby_name": "王小宝", "lives_here": "yes", "household_ok": "yes"}
    answers["visit_date"] = "2026-12-02"
    answers.update(data)
    return {
        "uuid": new_uuid(),
        "kind": "task_result",
        "task_id": task_id,
        "module": "newborn_visit",
        "data": answers,
    }


def test_birth_becomes_a_person_with_a_service_closed_by_the_id(
    client: TestClient, db: Session, family, worker_headers, health_headers, police_headers
) -> None:
    pushed = client.post(EVENTS, json=birth_event(), headers=health_headers)
    assert pushed.status_code == 201, pushed.text
    event = pushed.json()
    assert event["status"] == "tasked" and event["grid_code"] == family.house.grid_code
    again = client.post(EVENTS, json=birth_event(), headers=health_headers).json()
    assert again["id"] == event["id"]  # idempotent on the hospital's record id

    bundle = client.get("/api/v1/field/bundle", headers=worker_headers).json()
    [task] = [t for t in bundle["tasks"] if t["kind"] == "newborn_visit"]
    assert task["title"] == "新生儿上门核实：李娟之子"
    assert task["module_code"] == "newborn_visit" and task["admission_ref"] == "准入〔2026〕3号"
    assert "4205020001" in task["description"]  # the household, prefilled
    created = datetime.fromisoformat(task["created_at"])
    due = datetime.fromisoformat(task["due_at"])
    assert 2 <= (due - created).days <= 7  # 3 working days, weekends and holidays skipped

    synced = client.post(
        "/api/v1/field/sync", json={"records": [visit(task["id"])]}, headers=worker_headers
    ).json()
    assert synced["results"][0]["status"] == "stored", synced

    newborn = db.scalars(select(Person).where(Person.name == "王小宝")).one()
    assert (newborn.id_type, newborn.sex, newborn.household_id) == (
        "birth_cert",
        "M",
        family.household.id,
    )
    assert newborn.relation_to_head == "child" and str(newborn.birth_date) == "2026-12-01"
    links = db.scalars(select(FamilyLink).where(FamilyLink.child_id == newborn.id)).all()
    assert {(link.relation, link.parent_id) for link in links} == {
        ("mother", family.mother.id),
        ("father", family.father.id),
    }
    services = client.get(
        "/api/v1/lifecycle/services", params={"person_id": newborn.id}, headers=worker_headers
    ).json()
    assert [(s["service_code"], s["state"]) for s in services] == [("birth_registration", "open")]
    # The mother's maternity allowance was opened when the record arrived (childbirth rule).
    mothers = db.scalars(select(ProxyService).where(ProxyService.person_id == family.mother.id))
    assert [s.service_code for s in mothers] == ["maternity_allowance"]

    new_id = make_resident_id("420502", newborn.birth_date, 17)
    issued = {
        "event_type": "id_issued",
        "source_ref": "GA-ID-0001",
        "occurred_on": "2026-12-20",
        "data": {"id_number": new_id, "name": "王小宝", "birth_cert_no": "Q420123456"},
    }
    answer = client.post(EVENTS, json=issued, headers=police_headers)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "applied" and answer.json()["person_id"] == newborn.id
    db.refresh(newborn)
    assert newborn.id_type == "resident_id" and newborn.id_number_masked.endswith(new_id[-4:])
    services = client.get(
        "/api/v1/lifecycle/services",
        params={"person_id": newborn.id, "state": ["done"]},
        headers=worker_headers,
    ).json()
    assert [(s["service_code"], s["state"]) for s in services] == [("birth_registration", "done")]

    timeline = client.get(
        f"/api/v1/lifecycle/persons/{newborn.id}/timeline", headers=worker_headers
    ).json()
    kinds = [e["kind"] for e in timeline["entries"]]
    assert {"version", "event", "task", "service"} <= set(kinds)
    assert {f["relation"] for f in timeline["family"]} == {"mother", "father"}


def test_a_family_not_living_there_is_a_finding_for_community_staff(
    client: TestClient, db: Session, family, grid, worker_headers, health_headers
) -> None:
    event = client.post(EVENTS, json=birth_event("HOSP-2"), headers=health_headers).json()
    task_id = event["task_id"]
    record = visit(task_id, lives_here="no")
    del record["data"]["household_ok"]
    synced = client.post(
        "/api/v1/field/sync", json={"records": [record]}, headers=worker_headers
    ).json()
    assert synced["results"][0]["status"] == "stored", synced
    assert db.scalars(select(Person).where(Person.name == "王小宝")).first() is None
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, staff)
    findings = client.get(EVENTS, params={"status": "finding"}, headers=headers).json()
    assert [(f["id"], f["reason"][:8]) for f in findings] == [(event["id"], "家庭不在登记地址")]
    resolved = client.post(
        f"{EVENTS}/{event['id']}/resolve", json={"note": "已联系家属，已迁往外地"}, headers=headers
    )
    assert resolved.json()["status"] == "resolved"


def test_an_unresolvable_address_and_unknown_mother_stay_visible(
    client: TestClient, db: Session, family, health_headers
) -> None:
    body = birth_event("HOSP-3", address="无此地址 99号", mother_id=None)
    event = client.post(EVENTS, json=body, headers=health_headers).json()
    assert event["status"] == "finding" and event["task_id"] is None
    assert "地址无法解析" in event["reason"]
    # The health department sees its own pushes and what became of them (closing the loop).
    mine = client.get(EVENTS, headers=health_headers).json()
    assert event["id"] in [e["id"] for e in mine]


def test_an_unknown_event_type_or_department_is_refused(client: TestClient, health_headers) -> None:
    wrong = birth_event("X1")
    wrong["event_type"] = "wedding"
    assert client.post(EVENTS, json=wrong, headers=health_headers).status_code == 400
    death = {
        "event_type": "id_issued",
        "source_ref": "X2",
        "occurred_on": "2026-12-01",
        "data": {"id_number": MOTHER_ID},
    }
    assert client.post(EVENTS, json=death, headers=health_headers).status_code == 400
