"""Reconciliation run: the source records not yet decided, linked against the base.

Incremental by construction: only current record versions without a current link are read (a
daily feed of changed records is a few thousand rows), against the persons those records can
concern (same ID hash, or living in the grids the records name). The Splink model is trained on
the first big run and kept (``model.json`` beside this file ships one trained on the synthetic
city), so small runs only predict.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Float, String, cast, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.config import get_settings
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import decrypt
from gridgov.kit.db import savepoint
from gridgov.kit.errors import BadRequest, Conflict
from gridgov.models.person import LivingStatus, Person
from gridgov.models.source import LinkDecision, Source, SourceLink, SourceRecord
from gridgov.people import service as people
from gridgov.people.schemas import PersonCreate
from gridgov.sources import findings, linking
from gridgov.sources.addresses import address_key
from gridgov.sources.repository import table_of

MODEL_FILE = Path(__file__).with_name("model.json")
TRAIN_AT_LEAST = 20_000  # records: below this the stored model is used


@dataclass
class RunSummary:
    records: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    findings: int = 0
    mothers: int = 0


def trained_model_file() -> Path:
    """Where a model trained on this city is kept: beside the app's other data (``var/``), never
    over the shipped model inside the package."""
    return get_settings().media_dir.parent / "sources-model.json"


def stored_model() -> dict[str, Any] | None:
    """The model trained on this city, else the shipped one."""
    for path in (trained_model_file(), MODEL_FILE):
        if path.exists():
            return dict(json.loads(path.read_text(encoding="utf-8")))
    return None


def reconcile(
    session: Session,
    *,
    principal: Principal,
    sources: Sequence[Source],
    thresholds: linking.Thresholds = linking.Thresholds(),
    train: bool | None = None,
    engine: str = "duckdb",
) -> RunSummary:
    """Link every undecided current record of ``sources``; write links and findings. Splink runs
    on ``engine`` (``duckdb`` in this process, or ``spark``: see :mod:`gridgov.sources.linking`)."""
    linking.check_engine(engine)
    summary = RunSummary()
    if not sources:
        return summary
    by_id = {s.id: s for s in sources}
    records = _undecided(session, list(by_id))
    if not records:
        summary.findings = findings.not_seen(session, principal=principal, source_id=sources[0].id)
        return summary
    summary.records = len(records)
    base, person_rows = _base_for(session, records)
    record_frame = pd.DataFrame([_record_row(r) for r in records])
    model = stored_model()
    must_train = train if train is not None else (model is None or len(records) >= TRAIN_AT_LEAST)
    prepared_base = linking.prepare(base)
    result = linking.link(
        prepared_base,
        linking.prepare(record_frame),
        model=None if must_train else model,
        train=must_train,
        engine=engine,
    )
    if must_train and result.model:
        trained_model_file().parent.mkdir(parents=True, exist_ok=True)
        trained_model_file().write_text(json.dumps(result.model), encoding="utf-8")
    best = {row["uid"]: row for row in result.links.to_dict("records")}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    decided: list[tuple[SourceRecord, str, int | None]] = []
    for record in records:
        link = best.get(f"r{record.id}")
        probability = float(link["probability"]) if link else 0.0
        decision = linking.decide(probability, thresholds) if link else "unmatched"
        person_id = int(link["person_uid"][1:]) if link and decision != "unmatched" else None
        person = person_rows.get(person_id) if person_id else None
        rows.append(
            {
                "source_id": record.source_id,
                "source_record_id": record.id,
                "record_key": record.record_key,
                "person_id": person_id,
                "decision": decision,
                "probability": probability if link else None,
                "match_weight": _finite(link["match_weight"]) if link else None,
                "rule": link["rule"] if link else "none",
                "explanation": link["explanation"] if link else [],
                "grid_code": (person or {}).get("grid_code") or record.grid_code,
                "decided_at": now,
                "decided_by": principal.username,
                "current": True,
            }
        )
        if decision == "unmatched" and by_id[record.source_id].may_create_persons:
            created = _create_person(session, principal, record)
            if created is not None:
                decision, person_id = LinkDecision.CREATED.value, created
                rows[-1].update(decision=decision, person_id=created, rule="created")
        summary.decisions[decision] = summary.decisions.get(decision, 0) + 1
        decided.append((record, decision, person_id))
    if rows:
        session.execute(insert(table_of(SourceLink)), rows)
    summary.mothers = findings.link_mothers(session, prepared_base, records)
    summary.findings = findings.derive(
        session, principal=principal, sources=by_id, decided=decided, persons=person_rows
    ) + findings.not_seen(session, principal=principal, source_id=sources[0].id)
    trail.record(
        session,
        action="source.reconcile",
        object_type="source",
        object_id=",".join(sorted(s.name for s in sources))[:64],
        principal=principal,
        after={"records": summary.records, **summary.decisions, "findings": summary.findings},
    )
    return summary


def _create_person(session: Session, principal: Principal, record: SourceRecord) -> int | None:
    """A person from a record that matched nobody, for sources allowed to (the police
    register): only with a valid ID and an address the house register knows."""
    n = record.normalised
    if not (n.get("id_valid") and record.grid_code and n.get("name")):
        return None
    try:
        person_in = PersonCreate(
            id_number=n["id_number"], name=n["name"], sex=n.get("sex"),
            birth_date=n.get("birth_date"), grid_code=record.grid_code, house_id=record.house_id,
            current_address=n.get("current_address") or n.get("registered_address"),
            phone=n.get("phone") if n.get("phone", "").startswith("1") else None,
        )  # fmt: skip
    except ValueError:  # pydantic: the record does not make a valid person
        return None
    try:
        with savepoint(session):
            person = people.create_person(
                session, principal=principal, person_in=person_in, source="department",
                reason=f"来源记录 {record.record_key}",
            )  # fmt: skip
    except (Conflict, BadRequest):  # already in the base, or the grid is unknown
        return None
    return int(person.id)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if number not in (float("inf"), float("-inf")) else None


def _undecided(session: Session, source_ids: list[int]) -> list[SourceRecord]:
    linked = select(SourceLink.source_record_id).where(SourceLink.current.is_(True))
    return list(
        session.scalars(
            select(SourceRecord)
            .where(
                SourceRecord.source_id.in_(source_ids),
                SourceRecord.current.is_(True),
                SourceRecord.id.not_in(linked),
            )
            .order_by(SourceRecord.id)
        )
    )


def _record_row(record: SourceRecord) -> dict[str, Any]:
    n = record.normalised
    return {
        "uid": f"r{record.id}",
        "name": n.get("name"),
        "sex": n.get("sex"),
        "birth_date": n.get("birth_date"),
        "id_number": n.get("id_number"),
        "phone": n.get("phone"),
        "address_key": n.get("current_address_key") or n.get("registered_address_key"),
    }


def _base_for(
    session: Session, records: list[SourceRecord]
) -> tuple[pd.DataFrame, dict[int, dict[str, Any]]]:
    """The persons these records can concern: same ID, or in the grids the records name (all
    persons when no record names a grid)."""
    hashes = sorted({r.id_number_hash for r in records if r.id_number_hash})
    grids = sorted({r.grid_code for r in records if r.grid_code})
    clauses = [Person.id_number_hash.in_(hashes[i : i + 2000]) for i in range(0, len(hashes), 2000)]
    clauses += [Person.grid_code.in_(grids[i : i + 2000]) for i in range(0, len(grids), 2000)]
    statement = select(
        Person.id, Person.name, Person.sex, Person.birth_date, Person.id_number_enc,
        Person.phone_enc, Person.current_address, Person.registered_address, Person.grid_code,
        Person.living_status, Person.house_id, Person.household_id, Person.residence_type,
        Person.permit_expires_on,
    ).where(Person.living_status != LivingStatus.MERGED.value)  # fmt: skip
    if clauses and grids:
        statement = statement.where(or_(*clauses))
    persons: dict[int, dict[str, Any]] = {}
    frame_rows = []
    for row in session.execute(statement):
        address = row.current_address or row.registered_address
        id_number = decrypt(row.id_number_enc)
        person = {
            "id": row.id, "name": row.name, "grid_code": row.grid_code,
            "living_status": row.living_status, "address": address, "house_id": row.house_id,
            "household_id": row.household_id, "id_number": id_number,
            "residence_type": row.residence_type, "permit_expires_on": row.permit_expires_on,
        }  # fmt: skip
        persons[row.id] = person
        frame_rows.append(
            {
                "uid": f"p{row.id}",
                "name": row.name,
                "sex": row.sex,
                "birth_date": row.birth_date.isoformat() if row.birth_date else None,
                "id_number": id_number,
                "phone": decrypt(row.phone_enc) if row.phone_enc else None,
                "address_key": address_key(address),
            }
        )
    columns = list(linking.COLUMNS)
    return pd.DataFrame(frame_rows, columns=columns), persons


def base_statement() -> Any:
    """One row per base person, for the export: ``base``, the person's id, the person it is now
    (the survivor for a merged duplicate), its status."""
    return select(
        literal("base"),
        cast(Person.id, String),
        func.coalesce(Person.merged_into_id, Person.id),
        Person.living_status,
        literal(None, Float),
    ).order_by(Person.id)


def decided_statement() -> Any:
    """Every current decision, for the export."""
    return (
        select(
            Source.name,
            SourceLink.record_key,
            SourceLink.person_id,
            SourceLink.decision,
            SourceLink.probability,
        )
        .join(Source, Source.id == SourceLink.source_id)
        .where(SourceLink.current.is_(True))
        .order_by(Source.name, SourceLink.record_key)
    )


CONFIRMED = frozenset({LinkDecision.AUTO_LINKED.value, LinkDecision.ACCEPTED.value})
