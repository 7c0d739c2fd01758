"""The review queue: pairs the model was unsure of, decided by community/street staff and the data
office. Each decision is a new current link (the old one stays, not current) and a trail entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import decrypt, mask_id_number, mask_phone
from gridgov.kit.errors import BadRequest
from gridgov.models.person import Person
from gridgov.models.source import LinkDecision, Source, SourceLink, SourceRecord
from gridgov.sources import explain
from gridgov.sources.repository import SourceRepository

VERDICTS = {
    "accept": LinkDecision.ACCEPTED,
    "reject": LinkDecision.REJECTED,
    "family_member": LinkDecision.FAMILY_MEMBER,
}
# What is compared on the page: the record's field (its words: vocabulary ``sources.f``), the
# person's attribute.
FIELDS = (
    ("name", "name"),
    ("sex", "sex"),
    ("birth_date", "birth_date"),
    ("id_number", "id_number_enc"),
    ("phone", "phone_enc"),
    ("current_address", "current_address"),
)


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _person_value(person: Person | None, attribute: str) -> str | None:
    value = getattr(person, attribute, None) if person else None
    if value is None:
        return None
    if attribute.endswith("_enc"):
        return decrypt(str(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


@dataclass
class Pair:
    link: SourceLink
    source: Source
    record: SourceRecord
    person: Person | None
    rows: list[dict[str, Any]]  # field, record value, person value, differs
    explanation: list[dict[str, Any]]  # the link's, with keys (explain.keyed)


def queue(session: Session, *, principal: Principal, limit: int = 50) -> list[SourceLink]:
    return list(
        session.scalars(
            SourceRepository(session)
            .readable_links(principal)
            .where(SourceLink.decision == LinkDecision.REVIEW.value)
            .order_by(SourceLink.probability.desc(), SourceLink.id)
            .limit(limit)
        )
    )


def queue_size(session: Session, *, principal: Principal) -> int:
    statement = (
        SourceRepository(session)
        .readable_links(principal)
        .where(SourceLink.decision == LinkDecision.REVIEW.value)
    )
    return int(session.scalar(select(func.count()).select_from(statement.subquery())) or 0)


def pair(
    session: Session, *, principal: Principal, link_id: int, waiting_only: bool = True
) -> Pair:
    """The record and the person side by side; any current decision with ``waiting_only`` off
    (an automatic link explained)."""
    if waiting_only:
        link = SourceRepository(session).link_for_review(principal, link_id)
    else:
        link = SourceRepository(session).readable_link(principal, link_id)
    record = session.get_one(SourceRecord, link.source_record_id)
    source = session.get_one(Source, link.source_id)
    person = session.get(Person, link.person_id) if link.person_id else None
    rows = []
    for field, attribute in FIELDS:
        mine = record.normalised.get(field)
        theirs = _person_value(person, attribute)
        shown_mine, shown_theirs = mine, theirs
        if field in MASKS:  # compared in full, shown masked
            mask = MASKS[field]
            shown_mine = mask(mine) if mine else None
            shown_theirs = mask(theirs) if theirs else None
        rows.append(
            {
                "field": field,
                "record": shown_mine or "",
                "person": shown_theirs or "",
                "differs": bool(mine and theirs and str(mine) != str(theirs)),
            }
        )
    return Pair(link=link, source=source, record=record, person=person, rows=rows,
                explanation=explain.keyed(link.explanation))  # fmt: skip


def decide(
    session: Session, *, principal: Principal, link_id: int, verdict: str, note: str | None = None
) -> SourceLink:
    if verdict not in VERDICTS:
        raise BadRequest("未知的复核结论", f"Unknown verdict {verdict}", verdict=verdict)
    link = SourceRepository(session).link_for_review(principal, link_id)
    link.current = False
    decision = VERDICTS[verdict]
    new = SourceLink(
        source_id=link.source_id,
        source_record_id=link.source_record_id,
        record_key=link.record_key,
        person_id=link.person_id if decision == LinkDecision.ACCEPTED else None,
        decision=decision.value,
        probability=link.probability,
        match_weight=link.match_weight,
        rule="manual",
        explanation=link.explanation,
        grid_code=link.grid_code,
        decided_at=utcnow(),
        decided_by=principal.username,
        current=True,
    )
    session.add(new)
    session.flush()
    trail.record(
        session,
        action="source.review",
        object_type="source_link",
        object_id=link.id,
        principal=principal,
        before={"decision": link.decision, "person_id": link.person_id},
        after={"decision": new.decision, "person_id": link.person_id, "link_id": new.id},
        note=note,
    )
    return new
