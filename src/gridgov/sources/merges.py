"""Duplicates inside the base: two persons who are one (often one entered with the old 15-digit
ID). Proposed, then merged by a person. A merge is a new version of the duplicate: its row stays,
marked ``merged`` and pointing at the kept person (``merged_into_id``), and its department links
move to the kept person. A split is the next version: the duplicate's status comes back, the
pointer goes, the links move back. Both are in the person's history and in the trail."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import decrypt
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.models.person import LivingStatus, Person
from gridgov.models.source import PersonMerge, SourceLink
from gridgov.models.versioning import ChangeSource
from gridgov.people.common import PERSON
from gridgov.people.versioning import apply_changes
from gridgov.sources.normalise import id_relation, name_sound_key, normalise_id
from gridgov.sources.repository import SourceRepository


def propose(session: Session, *, principal: Principal) -> int:
    """Find duplicate pairs among the persons the principal reads; returns how many are new."""
    rows = session.execute(
        select(Person.id, Person.id_number_enc, Person.name, Person.birth_date, Person.sex,
               Person.house_id, Person.grid_code)
        .where(scope_clause(principal, grid_code=Person.grid_code), Person.living_status == "alive")
    ).all()  # fmt: skip
    by_id: dict[str, list[Any]] = defaultdict(list)
    by_person: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    people = {}
    for row in rows:
        parsed = normalise_id(decrypt(row.id_number_enc))
        number = parsed.value if parsed else ""
        people[row.id] = (row, number, bool(parsed and parsed.valid and not parsed.from_15))
        if number:
            by_id[number].append(row.id)
        by_person[(name_sound_key(row.name), row.birth_date, row.sex, row.house_id)].append(row.id)
    pairs: dict[tuple[int, int], tuple[float, str]] = {}
    for ids in by_id.values():
        for other in ids[1:]:
            pairs[_ordered(people, ids[0], other)] = (1.0, "same_id")
    for ids in by_person.values():
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                if id_relation(people[a][1], people[b][1]) == "near":
                    # Same name sound, birth date and flat, the ID one typo apart.
                    pairs.setdefault(_ordered(people, a, b), (0.95, "near_id"))
    existing = {
        (a, b) for a, b in session.execute(select(PersonMerge.person_id, PersonMerge.duplicate_id))
    }
    now = utcnow()
    new = 0
    for (kept, duplicate), (probability, reason) in pairs.items():
        if (kept, duplicate) in existing:
            continue
        session.add(
            PersonMerge(
                person_id=kept,
                duplicate_id=duplicate,
                probability=probability,
                explanation=[{"comparison": "base_duplicate", "level": reason, "weight": None}],
                grid_code=people[kept][0].grid_code,
                status="proposed",
                proposed_at=now,
            )
        )
        new += 1
    session.flush()
    return new


def _ordered(people: dict[int, Any], a: int, b: int) -> tuple[int, int]:
    """(kept, duplicate): the person with a valid 18-digit ID is kept, else the older record."""
    a_valid, b_valid = people[a][2], people[b][2]
    if a_valid != b_valid:
        return (a, b) if a_valid else (b, a)
    return (min(a, b), max(a, b))


def decide(session: Session, *, principal: Principal, merge_id: int, verdict: str) -> PersonMerge:
    """``merge`` (a proposal), ``reject`` (a proposal) or ``split`` (a merge)."""
    merge = session.scalar(
        SourceRepository(session).readable_merges(principal).where(PersonMerge.id == merge_id)
    )
    if merge is None:
        raise NotFound("没有这条合并建议", "No such merge proposal")
    allowed = {"merge": "proposed", "reject": "proposed", "split": "merged"}
    if allowed.get(verdict) != merge.status:
        raise BadRequest(
            "该合并建议当前不能这样处理", f"Cannot {verdict} a {merge.status} proposal"
        )
    before = merge.status
    moved: list[int] = []
    if verdict == "merge":
        kept, duplicate = _pair(session, merge)
        moved = _move_links(session, merge.duplicate_id, merge.person_id)
        merge.explanation = [
            *merge.explanation,
            {"moved_links": moved, "duplicate_status": duplicate.living_status},
        ]
        _new_version(session, principal, duplicate, LivingStatus.MERGED.value, kept.id,
                     f"合并到人员 {kept.id}（合并建议 {merge.id}）")  # fmt: skip
    elif verdict == "split":
        done: dict[str, Any] = next((e for e in merge.explanation if "moved_links" in e), {})
        moved = done.get("moved_links", [])
        if moved:
            session.execute(
                update(SourceLink)
                .where(SourceLink.id.in_(moved))
                .values(person_id=merge.duplicate_id)
            )
        duplicate = session.get_one(Person, merge.duplicate_id)
        status = done.get("duplicate_status") or LivingStatus.ALIVE.value
        _new_version(session, principal, duplicate, status, None,
                     f"撤销合并（合并建议 {merge.id}）")  # fmt: skip
    merge.status = {"merge": "merged", "reject": "rejected", "split": "split"}[verdict]
    merge.decided_at, merge.decided_by = utcnow(), principal.username
    trail.record(
        session, action=f"person.{verdict}", object_type="person_merge", object_id=merge.id,
        principal=principal, before={"status": before},
        after={"status": merge.status, "person_id": merge.person_id,
               "duplicate_id": merge.duplicate_id, "links": moved},
    )  # fmt: skip
    return merge


def _pair(session: Session, merge: PersonMerge) -> tuple[Person, Person]:
    """The kept person and the duplicate, neither merged away already."""
    kept = session.get_one(Person, merge.person_id)
    duplicate = session.get_one(Person, merge.duplicate_id)
    if LivingStatus.MERGED.value in (kept.living_status, duplicate.living_status):
        raise BadRequest(
            "其中一人已被合并到另一人，不能再合并",
            "One of the two is already merged into another person",
        )
    return kept, duplicate


def _new_version(
    session: Session,
    principal: Principal,
    person: Person,
    status: str,
    merged_into: int | None,
    reason: str,
) -> None:
    apply_changes(
        session, person, record_type=PERSON,
        values={"living_status": status, "merged_into_id": merged_into},
        principal=principal, source=ChangeSource.STAFF, reason=reason, base_version=None,
    )  # fmt: skip


def _move_links(session: Session, source_person: int, target_person: int) -> list[int]:
    ids = list(
        session.scalars(
            select(SourceLink.id).where(
                SourceLink.person_id == source_person, SourceLink.current.is_(True)
            )
        )
    )
    if ids:
        session.execute(
            update(SourceLink).where(SourceLink.id.in_(ids)).values(person_id=target_person)
        )
    return ids
