"""Events received in a batch (a department file, the simulator, the computed events) behave as
one by one: idempotent on their reference (also twice in the same batch), every task, service
and finding in the trail, and an event the base refuses becomes a finding with its reason
without losing the others of the batch."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.lifecycle import service
from gridgov.lifecycle.events import Event
from gridgov.models.audit import AuditEntry
from gridgov.models.lifecycle import LifeEvent, ProxyService
from gridgov.models.person import Person
from gridgov.models.task import Task
from gridgov.people.identifiers import make_resident_id
from tests.lifecycle.conftest import FATHER_ID, Family, add_person, birth_event

SOURCE = system_principal("test.batch")
DAY = date(2026, 12, 3)


def _events(family: Family) -> list[Event]:
    birth = birth_event("HOSP-B-1")
    return [
        Event("birth", "WJ", "HOSP-B-1", DAY, data=birth["data"]),
        Event("birth", "WJ", "HOSP-B-1", DAY, data=birth["data"]),  # sent twice
        # The police's ID for the newborn is the father's number: the base refuses it.
        Event("id_issued", "GA", "GA-ID-1", DAY,
              {"id_number": FATHER_ID, "birth_cert_no": "Q420777001", "name": "王小宝"}),
        Event("permit_issued", "GA", "GA-JZZ-1", DAY,
              {"id_number": make_resident_id("420502", date(1990, 1, 1), 77),
               "expires_on": "2027-12-01"}),
        Event("move_in", "GA", "GA-QR-1", DAY, {"name": "无证件号"}),  # a required field missing
        Event("permit_issued", "GA", "GA-JZZ-2", DAY,
              {"id_number": FATHER_ID, "name": "王强", "expires_on": "2027-12-01"}),
    ]  # fmt: skip


def _counts(db: Session) -> tuple[int, int, int, int]:
    return (
        db.scalar(select(func.count(LifeEvent.id))) or 0,
        db.scalar(select(func.count(Task.id))) or 0,
        db.scalar(select(func.count(ProxyService.id))) or 0,
        db.scalar(select(func.count(AuditEntry.id))) or 0,
    )


def test_a_batch_keeps_each_event_and_makes_a_refused_one_a_finding(
    db: Session, family: Family
) -> None:
    newborn = add_person(
        db,
        name="王小宝",
        id_number="Q420777001",
        id_type="birth_cert",
        sex="M",
        birth_date=date(2026, 11, 20),
        grid_code=family.house.grid_code,
        household_id=family.household.id,
        house_id=family.house.id,
    )
    db.commit()
    trail_before = db.scalar(select(func.count(AuditEntry.id))) or 0

    rows = service.receive_many(db, principal=SOURCE, events=_events(family), strict=False)
    db.commit()

    assert rows[0] is rows[1] and len({r.id for r in rows}) == 5
    assert [r.status for r in rows] == ["tasked", "tasked", "finding", "finding", "finding",
                                        "applied"]  # fmt: skip
    birth, _, refused, unknown, incomplete, permit = rows
    assert "已在人口库中登记" in (refused.reason or "")  # the base's refusal, as its reason
    assert "人口库中没有此人" in (unknown.reason or "")
    assert "缺少字段" in (incomplete.reason or "")
    # The others stand: the birth's task and the mother's maternity allowance, the father's
    # permit; the refused ID did not reach the newborn.
    task = db.get_one(Task, birth.task_id)
    assert task.kind == "newborn_visit" and task.grid_code == family.house.grid_code
    services = db.scalars(select(ProxyService).where(ProxyService.person_id == family.mother.id))
    assert [s.service_code for s in services] == ["maternity_allowance"]
    db.refresh(family.father)
    assert family.father.permit_expires_on == date(2027, 12, 1)
    assert family.father.residence_type == "floating" and family.father.version == 2
    assert db.get_one(Person, newborn.id).id_type == "birth_cert"
    # Each event, the task, the service and the person's change in the trail.
    actions = [
        (a.action, a.object_id)
        for a in db.scalars(
            select(AuditEntry).where(AuditEntry.id > trail_before).order_by(AuditEntry.id)
        )
    ]
    for row in (birth, refused, unknown, incomplete, permit):
        assert ("life_event.receive", str(row.id)) in actions
    assert ("task.create", str(task.id)) in actions
    assert [a for a, _ in actions].count("proxy_service.open") == 1
    assert ("person.update", str(family.father.id)) in actions

    # The same batch again: the stored rows, nothing new.
    before = _counts(db)
    again = service.receive_many(db, principal=SOURCE, events=_events(family), strict=False)
    db.commit()
    assert [r.id for r in again] == [r.id for r in rows]
    assert _counts(db) == before


def test_one_event_is_a_batch_of_one(db: Session, family: Family) -> None:
    row = service.receive(db, principal=SOURCE, event=_events(family)[0], strict=False)
    db.commit()
    assert row.status == "tasked"
    assert service.receive(db, principal=SOURCE, event=_events(family)[1]).id == row.id
