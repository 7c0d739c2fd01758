"""Death, residence permits and computed events through the rules; the rules file is refused
with its line and reason."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.lifecycle import jobs, rules
from gridgov.models.lifecycle import LifeEvent, ProxyService
from gridgov.models.task import Task
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import new_uuid
from tests.lifecycle.conftest import FATHER_ID, add_person

EVENTS = "/api/v1/lifecycle/events"


def test_death_verified_sets_deceased_closes_services_and_tasks_and_asks_to_notify(
    client: TestClient, db: Session, family, worker_headers, police_headers
) -> None:
    father = family.father
    service = ProxyService(
        service_code="id_card_renewal",
        person_id=father.id,
        grid_code=father.grid_code,
        department_code="GA",
        state="open",
        due_at=date(2027, 1, 1),
        documents=[],
    )
    db.add(service)
    db.commit()
    death = {
        "event_type": "death",
        "source_ref": "GA-SW-1",
        "occurred_on": "2026-12-03",
        "data": {"id_number": FATHER_ID, "name": "王强", "died_on": "2026-12-03"},
    }
    event = client.post(EVENTS, json=death, headers=police_headers).json()
    assert event["status"] == "tasked" and event["person_id"] == father.id
    # The worker reads the department's fields in words, one a line (not died_on: 2026-12-03).
    text = db.get(Task, event["task_id"]).description  # type: ignore[union-attr]
    assert "姓名：王强\n" in text and "死亡日期：2026-12-03" in text and "died_on" not in text
    record = {
        "uuid": new_uuid(),
        "kind": "task_result",
        "task_id": event["task_id"],
        "data": {"result": "pass", "note": "家属确认"},
    }
    synced = client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    assert synced.json()["results"][0]["status"] == "stored", synced.text
    db.refresh(father)
    db.refresh(service)
    assert father.living_status == "deceased"  # a state: the record stays
    assert (service.state, service.result) == ("cancelled", "本人已死亡")
    row = db.get(LifeEvent, event["id"])
    assert row is not None and row.status == "finding" and "人社、民政" in (row.reason or "")
    # The family's funeral subsidy and deregistration is the service that follows.
    funeral = db.scalars(
        select(ProxyService).where(
            ProxyService.person_id == father.id, ProxyService.service_code == "funeral_subsidy"
        )
    ).all()
    assert [s.state for s in funeral] == ["open"]


def test_unknown_person_is_a_finding_not_a_drop(client: TestClient, police_headers) -> None:
    body = {
        "event_type": "move_out",
        "source_ref": "GA-QC-9",
        "occurred_on": "2026-12-03",
        "data": {"id_number": "11010519491231002X", "name": "无名"},
    }
    event = client.post(EVENTS, json=body, headers=police_headers).json()
    assert event["status"] == "finding" and "人口库中没有此人" in event["reason"]


def test_permit_issued_makes_a_floating_resident_and_the_job_reminds_before_expiry(
    client: TestClient, db: Session, family, grid, police_headers
) -> None:
    tenant = add_person(
        db,
        name="陈晨",
        id_number="11010519491231002X",
        grid_code=grid.code,
        house_id=family.house.id,
        residence_type="floating",
    )
    db.commit()
    today = date.today()
    expires = today + timedelta(days=20)
    body = {
        "event_type": "permit_issued",
        "source_ref": "GA-JZZ-1",
        "occurred_on": today.isoformat(),
        "data": {"id_number": "11010519491231002X", "expires_on": expires.isoformat()},
    }
    assert client.post(EVENTS, json=body, headers=police_headers).json()["status"] == "applied"
    db.refresh(tenant)
    assert tenant.permit_expires_on == expires
    counts = client.get(
        "/api/v1/lifecycle/permits/expiring",
        params={"month": expires.strftime("%Y-%m")},
        headers=auth_headers(
            client, create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
        ),
    ).json()
    assert counts == [{"grid_code": grid.code, "expiring": 1}]

    principal = system_principal("lifecycle.permits_expiring")
    assert jobs.permits_expiring(db, principal, today) == 1
    assert jobs.permits_expiring(db, principal, today) == 0  # the second run is a no-op
    reminder = db.scalars(select(Task).where(Task.kind == "permit_reminder")).one()
    assert reminder.title == "居住证到期提醒：陈晨" and reminder.grid_code == grid.code


def test_turning_80_and_children_16_without_id(db: Session, grid) -> None:
    today = date(2026, 12, 6)
    elder = add_person(
        db,
        name="周老",
        id_number="M1234567",
        id_type="passport",
        sex="M",
        birth_date=date(1946, 12, 4),
        grid_code=grid.code,
    )
    child = add_person(
        db,
        name="周小",
        id_number="CS0001",
        id_type="birth_cert",
        sex="F",
        birth_date=date(2010, 12, 6),
        grid_code=grid.code,
    )
    made = jobs.run_all(db, system_principal("lifecycle"), today)
    assert made["lifecycle.turning_80"] == 1 and made["lifecycle.children_16_without_id"] == 1
    titles = sorted(db.scalars(select(Task.title).where(Task.grid_code == grid.code)))
    assert titles == [
        f"年满16周岁未领身份证提醒：{child.name}",
        f"年满80周岁高龄津贴走访：{elder.name}",
    ]


def test_a_rules_file_with_unknown_event_module_or_field_is_refused_with_its_line() -> None:
    text = rules.default_text()
    broken = (
        text.replace('event = "marriage"', 'event = "wedding"')
        .replace('module = "population"', 'module = "census"')
        .replace("[rule.when]\nresidence_type", "[rule.when]\nincome")
    )
    _, problems = rules.parse(broken, modules={"population", "newborn_visit"})
    lines = broken.splitlines()
    found = {(lines[p.line - 1].strip(), p.reason) for p in problems}
    assert found == {
        ('event = "wedding"', "未知的事件类型「wedding」"),
        ('module = "census"', "未知的采集模块「census」"),
        ('income = "registered"', "事件「年满60周岁」没有字段「income」"),
    }


def test_rules_admin_saves_a_checked_file_only(client: TestClient, db: Session) -> None:
    admin = auth_headers(client, create_user(db, role=Role.SYSTEM_ADMIN))
    text = client.get("/api/v1/lifecycle/rules", headers=admin).json()["text"]
    refused = client.put(
        "/api/v1/lifecycle/rules",
        json={"text": text + "\n[[rule]]\ncode = 'x'\nevent = 'nope'\n"},
        headers=admin,
    )
    assert refused.status_code == 400 and "nope" in refused.json()["message"]
    saved = client.put("/api/v1/lifecycle/rules", json={"text": text}, headers=admin)
    assert saved.json() == {"version": 1}
