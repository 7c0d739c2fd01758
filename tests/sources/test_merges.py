from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.models.audit import AuditEntry
from gridgov.models.person import Person
from gridgov.models.source import PersonMerge, SourceLink, SourceRecord
from gridgov.people import versioning
from gridgov.people.identifiers import make_resident_id
from gridgov.people.sensitive import protect_id_number
from gridgov.sources import merges
from gridgov.sources.reconcile import _base_for
from tests.auth.test_pages import form_token, web_login
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A, GRID_OTHER, grids, principal
from tests.sources.conftest import register

__all__ = ["grids"]
NEW = make_resident_id("420502", date(1956, 4, 3), 11)


def _person(db: Session, id_number: str, name: str = "王建华", grid: str = GRID_A) -> Person:
    protected = protect_id_number(id_number)
    person = Person(
        id_number_enc=protected.enc, id_number_hash=protected.hash, id_number_masked=protected.masked,
        name=name, given_name=name[1:], name_pinyin="", name_initials="", sex="M",
        birth_date=date(1956, 4, 3), grid_code=grid, changed_at=datetime.now(UTC), change_source="import",
    )  # fmt: skip
    db.add(person)
    db.flush()
    return person


def test_old_15_digit_duplicate_is_proposed_merged_and_split(
    db: Session, grids: list[str], system: Principal
) -> None:
    kept = _person(db, NEW)
    old = _person(db, NEW[:6] + NEW[8:17])  # the same man entered years ago with his old ID
    _person(db, make_resident_id("420502", date(1956, 4, 3), 13), name="王建国")  # a neighbour
    source, _ = register(db, "police_hukou")
    from gridgov.sources.service import load_rows

    load = load_rows(db, principal=system, source=source, rows=[(2, {"RYBH": "P1", "XM": "王建华"})],
                     channel="api")  # fmt: skip
    assert load.created == 1
    record = db.scalar(select(SourceRecord))  # linked to the old entry, as a run would have
    assert record is not None
    link = SourceLink(source_id=source.id, source_record_id=record.id, record_key="P1",
                      person_id=old.id, decision="auto_linked", rule="exact_id", explanation=[],
                      grid_code=GRID_A, decided_at=utcnow(), decided_by="t", current=True)  # fmt: skip
    db.add(link)
    db.flush()

    assert merges.propose(db, principal=system) == 1
    assert merges.propose(db, principal=system) == 0  # proposed once
    proposal = db.scalar(select(PersonMerge))
    assert proposal is not None and (proposal.person_id, proposal.duplicate_id) == (kept.id, old.id)

    staff = principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12)
    with pytest.raises(NotFound):
        merges.decide(db, principal=principal(Role.COMMUNITY_STAFF, GRID_OTHER[:12], 13),
                      merge_id=proposal.id, verdict="merge")  # fmt: skip
    merges.decide(db, principal=staff, merge_id=proposal.id, verdict="merge")
    db.refresh(link)
    assert (proposal.status, link.person_id) == ("merged", kept.id)
    # The duplicate is kept as a new version, pointing at the survivor; the survivor is unchanged.
    db.refresh(old)
    assert (old.living_status, old.merged_into_id, old.version) == ("merged", kept.id, 2)
    assert old.changed_by_name == staff.username and f"合并到人员 {kept.id}" in (
        old.change_reason or ""
    )
    assert (kept.version, kept.merged_into_id) == (1, None)
    with pytest.raises(BadRequest):
        merges.decide(db, principal=staff, merge_id=proposal.id, verdict="merge")
    assert merges.propose(db, principal=system) == 0  # a merged person is proposed no more
    merges.decide(db, principal=staff, merge_id=proposal.id, verdict="split")
    db.refresh(link)
    assert (proposal.status, link.person_id) == ("split", old.id)
    # Un-merged: the next version restores both; the history has all three.
    db.refresh(old)
    assert (old.living_status, old.merged_into_id, old.version) == ("alive", None, 3)
    history = [
        (v.version, v.data["living_status"], v.data["merged_into_id"])
        for v in versioning.history(db, old, record_type="person")
    ]
    assert history == [(1, "alive", None), (2, "merged", kept.id), (3, "alive", None)]
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == str(proposal.id))
    ).all()
    assert {"person.merge", "person.split"} <= set(actions)


def test_a_person_merged_away_is_merged_no_further(
    db: Session, grids: list[str], system: Principal
) -> None:
    """Three records of one man: once the duplicate is merged into the kept person, a second
    proposal that would merge into the merged-away record is refused, and reconciliation no
    longer offers the merged-away record as a candidate."""
    kept = _person(db, NEW)
    old = _person(db, NEW[:6] + NEW[8:17])
    merges.propose(db, principal=system)
    proposal = db.scalar(select(PersonMerge))
    assert proposal is not None
    staff = principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12)
    merges.decide(db, principal=staff, merge_id=proposal.id, verdict="merge")
    other = PersonMerge(person_id=old.id, duplicate_id=kept.id, probability=0.9, explanation=[],
                        grid_code=GRID_A, status="proposed", proposed_at=utcnow())  # fmt: skip
    db.add(other)
    db.flush()
    with pytest.raises(BadRequest):
        merges.decide(db, principal=staff, merge_id=other.id, verdict="merge")
    record = SourceRecord(id_number_hash=None, grid_code=GRID_A)
    base, _ = _base_for(db, [record])
    assert f"p{kept.id}" in set(base["uid"]) and f"p{old.id}" not in set(base["uid"])


def test_staff_merge_from_the_review_page_and_the_api(
    client: TestClient, db: Session, grids: list[str], system: Principal
) -> None:
    _person(db, NEW)
    _person(db, NEW[:6] + NEW[8:17])
    merges.propose(db, principal=system)
    proposal = db.scalar(select(PersonMerge))
    assert proposal is not None
    db.commit()
    client.cookies.clear()
    user = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    assert web_login(client, user.username).status_code == 303
    page = client.get("/sources/review")
    assert f'data-merge="{proposal.id}"' in page.text and "15位旧号" in page.text
    answer = client.post(
        f"/sources/merges/{proposal.id}",
        data={"verdict": "merge", "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    db.refresh(proposal)
    assert proposal.status == "merged"
    headers = auth_headers(client, user)
    split = client.post(
        f"/api/v1/sources/merges/{proposal.id}/decision", json={"verdict": "split"}, headers=headers
    )
    assert split.status_code == 200 and split.json()["status"] == "split"
