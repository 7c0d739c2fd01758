"""Findings: where a department and the base disagree, each routed to whoever must act.

* dead in the police or health register but alive in the base → the community (grid); a pension
  still paid per social security → the social-security department too;
* a newer address in a source than in the base → a verification task for the grid worker;
* an ID that fails its check digit, or differs from the base's → the sending department;
* a floating resident whose registration has lapsed → the community;
* a hospital birth with no person yet → the community (the life-cycle rules visit the family);
* a person whom no source has carried for years (``sources_unseen_years``) → the community.

A finding is written once: its fingerprint (kind, person, record version, evidence) is kept, and
a later run writes no finding with a fingerprint already there, open or closed. Whoever reads a
finding may close it with a reason; it stays, closed, in the list's history and in the trail.
Changed data (a new record version, a new expiry date, a later last sighting) is a new finding.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import func, insert, or_, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.config import get_settings
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.lifecycle.admission import NotAdmitted
from gridgov.models.person import LivingStatus, Person
from gridgov.models.source import Source, SourceFinding, SourceLink, SourceLoad, SourceRecord
from gridgov.sources import linking
from gridgov.sources.addresses import address_key
from gridgov.sources.repository import CHUNK, SourceRepository, table_of
from gridgov.tasks import service as tasks

KINDS = {
    "dead_in_register": "登记已死亡但基础库在世",
    "pension_to_dead": "已死亡人员仍在领取养老金",
    "newer_address": "来源地址与基础库不一致",
    "id_check_failed": "身份证号校验失败",
    "id_differs": "身份证号与基础库不一致",
    "registration_lapsed": "流动人口居住登记已过期",
    "birth_without_person": "医院出生登记尚无人员",
    "not_seen": "多年未见于任何部门数据",
}
CONFIRMED = frozenset({"auto_linked", "accepted"})
# A person is carried by a source through a link a run or a person confirmed, or made from it.
CARRIED = frozenset({*CONFIRMED, "created"})
STATUSES = ("open", "closed")
ADDRESS_SOURCES = frozenset({"housing", "social_security", "birth"})
DEATH_SOURCES = frozenset({"hukou", "birth"})


def link_mothers(session: Session, base: pd.DataFrame, records: list[SourceRecord]) -> int:
    """Write the mother's person id into each birth record's normalised form (``mother_person_id``);
    returns how many were found. ``base``: the persons as :func:`linking.prepare` made them."""
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
    found = linking.mother_links(base, frame)
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
        if lapsed:
            add("registration_lapsed", None, person, {"expired_on": str(expires)})
    return _write(session, principal, rows)


def not_seen(session: Session, *, principal: Principal, source_id: int) -> int:
    """Findings for the living persons no source has carried for years (every run, over the whole
    base, whatever the run had to link); returns how many are new."""
    now = utcnow()
    rows = []
    for person_id, grid_code, last_seen, since in _not_seen(session):
        rows.append(
            {
                "kind": "not_seen", "source_id": source_id, "source_record_id": None,
                "person_id": person_id, "grid_code": grid_code, "department_code": None,
                "evidence": {"last_seen": _day(last_seen), "in_base_since": _day(since)},
                "status": "open", "created_at": now,
            }
        )  # fmt: skip
    return _write(session, principal, rows)


def _write(session: Session, principal: Principal, rows: list[dict[str, Any]]) -> int:
    """Insert the findings not already written (same fingerprint, open or closed); returns how
    many are new."""
    for row in rows:
        row["fingerprint"] = fingerprint(row)
    prints = sorted({row["fingerprint"] for row in rows})
    known: set[str] = set()
    for start in range(0, len(prints), CHUNK):
        known.update(
            session.scalars(
                select(SourceFinding.fingerprint).where(
                    SourceFinding.fingerprint.in_(prints[start : start + CHUNK])
                )
            )
        )
    fresh: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["fingerprint"] not in known:
            fresh.setdefault(row["fingerprint"], row)
    rows = list(fresh.values())
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


def fingerprint(row: dict[str, Any]) -> str:
    """What a finding says: kind, person, record version and evidence."""
    said = [row["kind"], row["person_id"], row["source_record_id"], row["evidence"]]
    text = json.dumps(said, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _day(value: datetime | None) -> str | None:
    return value.date().isoformat() if value else None


def _not_seen(session: Session) -> list[tuple[int, str, datetime | None, datetime]]:
    """Living persons whom no source has carried for ``sources_unseen_years``: their last
    sighting (None: never) is older than that, and so is their row. The clock starts with the
    first load: before sources have been in use that long, nobody is unseen."""
    cutoff = utcnow() - timedelta(days=round(365.25 * get_settings().sources_unseen_years))
    first_load = session.scalar(select(func.min(SourceLoad.started_at)))
    if first_load is None or _aware(first_load) > cutoff:
        return []
    last_seen = (
        select(SourceLink.person_id, func.max(SourceRecord.seen_at).label("last"))
        .join(SourceRecord, SourceRecord.id == SourceLink.source_record_id)
        .where(
            SourceLink.current.is_(True),
            SourceLink.decision.in_(sorted(CARRIED)),
            SourceLink.person_id.is_not(None),
        )
        .group_by(SourceLink.person_id)
        .subquery()
    )
    rows = session.execute(
        select(Person.id, Person.grid_code, last_seen.c.last, Person.created_at)
        .outerjoin(last_seen, last_seen.c.person_id == Person.id)
        .where(
            Person.living_status == LivingStatus.ALIVE.value,
            Person.created_at < cutoff,
            or_(last_seen.c.last.is_(None), last_seen.c.last < cutoff),
        )
        .order_by(Person.id)
    )
    return [(r[0], r[1], _aware(r[2]) if r[2] else None, _aware(r[3])) for r in rows]


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive UTC times."""
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


def close(session: Session, *, principal: Principal, finding_id: int, reason: str) -> SourceFinding:
    """Close an open finding the principal reads, with the reason; in the trail."""
    finding: SourceFinding | None = session.scalar(
        SourceRepository(session).readable_findings(principal).where(SourceFinding.id == finding_id)
    )
    if finding is None:
        raise NotFound("没有这条比对发现", "No such finding")
    reason = reason.strip()
    if not reason:
        raise BadRequest("请填写关闭原因", "Give the reason for closing")
    if finding.status != "open":
        raise BadRequest("这条比对发现已关闭", "This finding is already closed")
    finding.status = "closed"
    finding.closed_at, finding.closed_by, finding.close_reason = (
        utcnow(),
        principal.username,
        reason,
    )
    trail.record(
        session, action="source.finding.close", object_type="source_finding",
        object_id=finding.id, principal=principal, before={"status": "open"},
        after={"status": "closed", "kind": finding.kind, "person_id": finding.person_id},
        note=reason,
    )  # fmt: skip
    return finding


TASK_KINDS = {
    "newer_address": ("address_verify", "核实住址变化"),
    "dead_in_register": ("death_verify", "核实人员死亡"),
}


def _task_for(session: Session, principal: Principal, finding_id: int, row: dict[str, Any]) -> None:
    """A verification task for the grid's worker, if the task type is admitted (准入); else the
    finding stays with community staff."""
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
