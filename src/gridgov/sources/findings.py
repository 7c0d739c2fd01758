"""Findings: where a department and the base disagree, each routed to whoever must act.

* dead in the police or health register but alive in the base → the community (grid); a pension
  still paid per social security → the social-security department too;
* a newer address in a source than in the base → a verification task for the grid worker;
* an ID that fails its check digit, or differs from the base's → the sending department;
* a floating resident whose registration has lapsed → the community;
* a hospital birth with no person yet → the community (the life-cycle rules visit the family).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.models.source import Source, SourceFinding, SourceLink, SourceRecord
from gridgov.sources import linking
from gridgov.sources.addresses import address_key
from gridgov.sources.repository import table_of

KINDS = {
    "dead_in_register": "登记已死亡但基础库在世",
    "pension_to_dead": "已死亡人员仍在领取养老金",
    "newer_address": "来源地址与基础库不一致",
    "id_check_failed": "身份证号校验失败",
    "id_differs": "身份证号与基础库不一致",
    "registration_lapsed": "流动人口居住登记已过期",
    "birth_without_person": "医院出生登记尚无人员",
}
CONFIRMED = frozenset({"auto_linked", "accepted"})
ADDRESS_SOURCES = frozenset({"housing", "social_security", "birth"})
DEATH_SOURCES = frozenset({"hukou", "birth"})


def link_mothers(session: Session, base: pd.DataFrame, records: list[SourceRecord]) -> int:
    """Write the mother's person id into each birth record's normalised form (``mother_person_id``);
    returns how many were found."""
    births = [
        r
        for r in records
        if r.normalised.get("mother_name") or r.normalised.get("mother_id_number")
    ]
    if not births or base.empty:
        return 0
    frame = pd.DataFrame(
        {
            "uid": [f"r{r.id}" for r in births],
            "mother_name": [r.normalised.get("mother_name") for r in births],
            "mother_id_number": [r.normalised.get("mother_id_number") for r in births],
            "address_key": [r.normalised.get("current_address_key") for r in births],
        }
    )
    found = linking.mother_links(linking.prepare(base), frame)
    mothers = dict(zip(found["uid"], found["mother_uid"], strict=True))
    for record in births:
        mother = mothers.get(f"r{record.id}")
        if mother:
            record.normalised = {**record.normalised, "mother_person_id": int(mother[1:])}
    return len(mothers)


def derive(
    session: Session,
    *,
    principal: Principal,
    sources: dict[int, Source],
    decided: list[tuple[SourceRecord, str, int | None]],
    persons: dict[int, dict[str, Any]],
) -> int:
    """Write the findings of one run; returns how many."""
    now = utcnow()
    rows: list[dict[str, Any]] = []

    def add(kind: str, record: SourceRecord | None, person: dict[str, Any] | None,
            evidence: dict[str, Any], department: str | None = None) -> None:  # fmt: skip
        source_id = record.source_id if record else next(iter(sources))
        rows.append(
            {
                "kind": kind, "source_id": source_id,
                "source_record_id": record.id if record else None,
                "person_id": person["id"] if person else None,
                "grid_code": (person or {}).get("grid_code") or (record.grid_code if record else None),
                "department_code": department, "evidence": evidence, "status": "open",
                "created_at": now,
            }
        )  # fmt: skip

    dead_persons: dict[int, SourceRecord] = {}
    for record, decision, person_id in decided:
        source = sources[record.source_id]
        n = record.normalised
        person = persons.get(person_id) if person_id else None
        if n.get("id_problem") == "check_digit":
            add("id_check_failed", record, person, {"source": source.title, "record_key": record.record_key},
                department=source.department_code)  # fmt: skip
        if decision == "unmatched" and source.kind == "birth":
            add("birth_without_person", record, None, {
                "source": source.title, "record_key": record.record_key, "name": n.get("name"),
                "birth_date": n.get("birth_date"), "mother_name": n.get("mother_name"),
                "mother_person_id": n.get("mother_person_id"), "address": n.get("current_address"),
            })  # fmt: skip
        if decision not in CONFIRMED or person is None:
            continue
        if (
            n.get("status") == "deceased"
            and source.kind in DEATH_SOURCES
            and person["living_status"] == "alive"
        ):
            dead_persons[person["id"]] = record
            add("dead_in_register", record, person, {
                "source": source.title, "record_key": record.record_key, "death_date": n.get("death_date"),
            })  # fmt: skip
        if n.get("id_number") and person.get("id_number") and n["id_number"] != person["id_number"]:
            add("id_differs", record, person, {"source": source.title, "record_key": record.record_key},
                department=source.department_code)  # fmt: skip
        key = n.get("current_address_key")
        if source.kind in ADDRESS_SOURCES and key and key != address_key(person.get("address")):
            add("newer_address", record, person, {
                "source": source.title, "record_key": record.record_key,
                "source_address": n.get("current_address"), "base_address": person.get("address"),
            })  # fmt: skip
    for person_id, record in dead_persons.items():
        pension = _pension_paid(session, person_id)
        if pension is not None:
            add("pension_to_dead", record, persons[person_id], {
                "death_record": record.record_key, "pension_record": pension,
            }, department="RS")  # fmt: skip
    today = date.today()
    for person in persons.values():
        expires = person.get("permit_expires_on")
        lapsed = person.get("residence_type") == "floating" and expires and expires < today
        if lapsed and not _open_finding(session, "registration_lapsed", person["id"]):
            add("registration_lapsed", None, person, {"expired_on": str(expires)})
    if rows:
        ids = (
            session.execute(
                insert(table_of(SourceFinding)).returning(
                    table_of(SourceFinding).c.id, sort_by_parameter_order=True
                ),
                rows,
            )
            .scalars()
            .all()
        )
        for finding_id, row in zip(ids, rows, strict=True):
            if row["kind"] in ("newer_address", "dead_in_register") and row["grid_code"]:
                _task_for(session, principal, finding_id, row)
    return len(rows)


def _pension_paid(session: Session, person_id: int) -> str | None:
    rows = session.execute(
        select(SourceRecord.record_key, SourceRecord.normalised)
        .join(SourceLink, SourceLink.source_record_id == SourceRecord.id)
        .where(
            SourceLink.person_id == person_id,
            SourceLink.current.is_(True),
            SourceLink.decision.in_(sorted(CONFIRMED)),
        )
    )
    for key, normalised in rows:
        if normalised.get("pension_status") == "正常发放":
            return str(key)
    return None


def _open_finding(session: Session, kind: str, person_id: int) -> bool:
    return (
        session.scalar(
            select(SourceFinding.id).where(
                SourceFinding.kind == kind,
                SourceFinding.person_id == person_id,
                SourceFinding.status == "open",
            )
        )
        is not None
    )


TASK_KINDS = {
    "newer_address": ("address_verify", "核实住址变化"),
    "dead_in_register": ("death_verify", "核实人员死亡"),
}


def _task_for(session: Session, principal: Principal, finding_id: int, row: dict[str, Any]) -> None:
    """A verification task for the grid's worker, if the task type is admitted (准入); else the
    finding stays with community staff."""
    from gridgov.lifecycle.admission import NotAdmitted
    from gridgov.tasks import service as tasks

    kind, title = TASK_KINDS[row["kind"]]
    try:
        task = tasks.create(
            session, kind=kind, title=title, grid_code=row["grid_code"], principal=principal,
            description=str(row["evidence"]), subject_type="person",
            subject_id=str(row["person_id"]), source_ref=f"sources:finding:{finding_id}",
        )  # fmt: skip
    except NotAdmitted:  # not admitted: no task, the finding is listed for the community
        return
    session.execute(
        table_of(SourceFinding)
        .update()
        .where(table_of(SourceFinding).c.id == finding_id)
        .values(task_id=task.id)
    )
