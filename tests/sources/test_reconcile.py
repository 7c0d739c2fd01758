"""Reconciliation against a small base: what staff get in their queue, findings and links."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.kit.errors import NotFound
from gridgov.models.audit import AuditEntry
from gridgov.models.house import House
from gridgov.models.person import Person
from gridgov.models.source import SourceFinding, SourceLink
from gridgov.people import service as people
from gridgov.people.identifiers import make_resident_id
from gridgov.sources import review
from gridgov.sources.reconcile import reconcile
from gridgov.sources.service import load_rows
from tests.people.conftest import GRID_A, GRID_OTHER, grids, person_in, principal
from tests.sources.conftest import register

__all__ = ["grids"]
HEADER = ["RYBH", "XM", "CYM", "XB", "CSRQ", "GMSFHM", "MZ", "HH", "YHZGX", "HJDZ", "RYZT",
          "SWRQ", "LXDH"]  # fmt: skip
ADDRESS = "宜昌市西陵区解放路12号5栋2单元1203"


def _hukou(key: str, name: str, birth: date, id_number: str, **extra: str) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "")
    row.update(RYBH=key, XM=name, XB="1", CSRQ=f"{birth:%Y%m%d}", GMSFHM=id_number, RYZT="正常",
               HJDZ=ADDRESS, LXDH="13800001234")  # fmt: skip
    row.update(extra)
    return row


@pytest.fixture
def base(db: Session, grids: list[str], system: Principal) -> dict[str, int]:
    """Brothers (twins) and their father in one flat, and someone in another community."""
    made = {}
    for key, name, birth, seq, grid in (
        ("father", "刘建国", date(1960, 5, 1), 11, GRID_A),
        ("twin1", "刘明", date(1990, 8, 8), 13, GRID_A),
        ("twin2", "刘亮", date(1990, 8, 8), 15, GRID_A),
        ("other", "陈红", date(1975, 2, 2), 17, GRID_OTHER),
    ):
        made[key] = people.create_person(
            db, principal=system,
            person_in=person_in(name=name, birth=birth, sequence=seq, grid_code=grid,
                                current_address=ADDRESS, sex="M"),
        ).id  # fmt: skip
    return made


def _id(birth: date, seq: int) -> str:
    return make_resident_id("420502", birth, seq)


def test_exact_ids_link_typos_go_to_review_and_dead_in_police_is_a_finding(
    db: Session, base: dict[str, int], system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    house = House(
        address=ADDRESS, grid_code=GRID_A, changed_at=datetime.now(UTC), change_source="import"
    )
    db.add(house)
    db.flush()
    father_id = _id(date(1960, 5, 1), 11)
    typo = father_id[:10] + father_id[11] + father_id[10] + father_id[12:]
    rows = [
        (2, _hukou("P1", "劉建國", date(1960, 5, 1), father_id, RYZT="死亡注销", SWRQ="20261101")),
        (3, _hukou("P2", "刘明", date(1990, 8, 8), _id(date(1990, 8, 8), 13))),
        # The other twin's record with an ID typo and no phone: same flat, same birthday.
        (4, _hukou("P3", "刘亮", date(1990, 8, 8), _id(date(1990, 8, 8), 15)[:16] + "99", LXDH="")),
        (5, _hukou("P4", "牛建国", date(1960, 5, 1), typo)),
        (6, _hukou("P5", "张三", date(2001, 1, 9), _id(date(2001, 1, 9), 21))),
    ]
    load_rows(db, principal=system, source=source, rows=rows, channel="file")
    summary = reconcile(db, principal=system, sources=[source], train=False)
    links = {
        link.record_key: link
        for link in db.scalars(select(SourceLink).where(SourceLink.current.is_(True)))
    }
    assert summary.records == 5
    assert (links["P1"].decision, links["P1"].person_id, links["P1"].rule) == (
        "auto_linked", base["father"], "exact_id",
    )  # fmt: skip
    assert (links["P2"].decision, links["P2"].person_id) == ("auto_linked", base["twin1"])
    assert links["P3"].person_id != base["twin1"]  # never the other twin
    assert links["P4"].person_id == base["father"] and links["P4"].decision in {
        "auto_linked", "review",
    }  # fmt: skip
    # Nobody in the base: the police register may create the person, at the house it names.
    assert (links["P5"].decision, links["P5"].rule) == ("created", "created")
    created = db.get_one(Person, links["P5"].person_id)
    assert (created.name, created.house_id, created.grid_code) == ("张三", house.id, GRID_A)
    kinds = {(f.kind, f.person_id) for f in db.scalars(select(SourceFinding))}
    assert ("dead_in_register", base["father"]) in kinds
    # Stored as keys (words in the viewer's language where shown).
    explained = [e["comparison"] for e in links["P4"].explanation]
    assert explained == ["id_number", "name", "birth_date", "sex", "phone", "address_key"]

    # Incremental: a second run finds nothing new to decide.
    assert reconcile(db, principal=system, sources=[source], train=False).records == 0


def test_review_decisions_are_scoped_and_in_the_trail(
    db: Session, base: dict[str, int], system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    father_id = _id(date(1960, 5, 1), 11)
    typo = father_id[:10] + ("0" if father_id[10] != "0" else "1") + father_id[11:]
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, _hukou("P9", "刘建", date(1960, 5, 1), typo, LXDH="", HJDZ=""))])  # fmt: skip
    reconcile(db, principal=system, sources=[source], train=False)
    link = db.scalar(select(SourceLink).where(SourceLink.record_key == "P9"))
    assert link is not None
    if link.decision != "review":  # make it a review case whatever the model said
        link.decision = "review"
        link.person_id = base["father"]
        link.grid_code = GRID_A
        db.flush()
    community = principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12)
    elsewhere = principal(Role.COMMUNITY_STAFF, GRID_OTHER[:12], 13)
    assert [q.id for q in review.queue(db, principal=community)] == [link.id]
    assert review.queue(db, principal=elsewhere) == []
    with pytest.raises(NotFound):
        review.decide(db, principal=elsewhere, link_id=link.id, verdict="accept")
    pair = review.pair(db, principal=community, link_id=link.id)
    assert [r["field"] for r in pair.rows if r["differs"]] == ["name", "id_number"]
    decided = review.decide(db, principal=community, link_id=link.id, verdict="family_member")
    assert (decided.decision, decided.person_id, decided.decided_by) == (
        "family_member", None, community.username,
    )  # fmt: skip
    assert review.queue(db, principal=community) == []
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "source.review"))
    assert entry is not None and entry.after["decision"] == "family_member"
