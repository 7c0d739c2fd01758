"""Findings people act on: a person no source has carried for years, closing a finding with a
reason (page and API), and a run that does not write again what was closed unless the data
changed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.models.audit import AuditEntry
from gridgov.models.person import Person
from gridgov.models.source import SourceFinding, SourceLink, SourceLoad, SourceRecord
from gridgov.people import service as people
from gridgov.people.identifiers import make_resident_id
from gridgov.sources import findings
from gridgov.sources.reconcile import reconcile
from gridgov.sources.service import load_rows
from tests.auth.test_pages import form_token, web_login
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A, GRID_OTHER, grids, person_in, principal
from tests.sources.conftest import register

__all__ = ["grids"]
YEAR = timedelta(days=366)


def _hukou(key: str, name: str, birth: date, seq: int) -> dict[str, str]:
    return {"RYBH": key, "XM": name, "XB": "1", "CSRQ": f"{birth:%Y%m%d}",
            "GMSFHM": make_resident_id("420502", birth, seq), "RYZT": "正常"}  # fmt: skip


def _not_seen(db: Session) -> dict[int, SourceFinding]:
    rows = db.scalars(select(SourceFinding).where(SourceFinding.kind == "not_seen"))
    return {f.id: f for f in rows}


def test_a_person_no_source_carried_for_years_is_a_finding_closed_stays_closed(
    db: Session, grids: list[str], system: Principal
) -> None:
    made = {}
    for key, name, birth, seq in (
        ("unseen", "周大山", date(1950, 1, 2), 11),
        ("seen", "吴小河", date(1960, 3, 4), 13),
        ("new", "郑新", date(1990, 5, 6), 15),
    ):
        made[key] = people.create_person(
            db, principal=system, person_in=person_in(name=name, birth=birth, sequence=seq)
        )
    source, _ = register(db, "police_hukou")
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, _hukou("H1", "吴小河", date(1960, 3, 4), 13))])  # fmt: skip
    reconcile(db, principal=system, sources=[source], train=False)
    link = db.scalar(select(SourceLink).where(SourceLink.record_key == "H1"))
    assert link is not None and link.person_id == made["seen"].id
    # Sources are in use for 6 years; two persons have been in the base for 5.
    long_ago = utcnow() - 6 * YEAR
    db.execute(update(SourceLoad).values(started_at=long_ago))
    db.execute(
        update(Person)
        .where(Person.id.in_([made["unseen"].id, made["seen"].id]))
        .values(created_at=utcnow() - 5 * YEAR)
    )
    db.flush()

    # A run with nothing to link still looks for the unseen: only the one never carried.
    summary = reconcile(db, principal=system, sources=[source], train=False)
    (finding,) = _not_seen(db).values()
    assert (summary.findings, finding.person_id, finding.grid_code) == (
        1,
        made["unseen"].id,
        GRID_A,
    )
    assert finding.evidence["last_seen"] is None and finding.source_record_id is None
    assert reconcile(db, principal=system, sources=[source], train=False).findings == 0

    staff = principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12)
    elsewhere = principal(Role.COMMUNITY_STAFF, GRID_OTHER[:12], 13)
    with pytest.raises(NotFound):
        findings.close(db, principal=elsewhere, finding_id=finding.id, reason="核实")
    with pytest.raises(BadRequest):
        findings.close(db, principal=staff, finding_id=finding.id, reason="  ")
    findings.close(db, principal=staff, finding_id=finding.id, reason="已核实仍在本地居住")
    assert (finding.status, finding.closed_by) == ("closed", staff.username)
    with pytest.raises(BadRequest):
        findings.close(db, principal=staff, finding_id=finding.id, reason="再次")
    # Closed and nothing changed: the next run does not open it again.
    assert reconcile(db, principal=system, sources=[source], train=False).findings == 0

    # The data changed: the seen man's only record was last carried 4 years ago.
    db.execute(update(SourceRecord).values(seen_at=utcnow() - 4 * YEAR))
    db.flush()
    assert reconcile(db, principal=system, sources=[source], train=False).findings == 1
    fresh = [f for f in _not_seen(db).values() if f.status == "open"]
    assert [f.person_id for f in fresh] == [made["seen"].id]
    assert fresh[0].evidence["last_seen"] == (utcnow() - 4 * YEAR).date().isoformat()
    # The same record sent again unchanged is a sighting: the man is carried again.
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, _hukou("H1", "吴小河", date(1960, 3, 4), 13))])  # fmt: skip
    record = db.scalar(select(SourceRecord).where(SourceRecord.record_key == "H1"))
    assert record is not None and record.seen_at is not None
    assert utcnow() - findings._aware(record.seen_at) < timedelta(minutes=5)
    assert reconcile(db, principal=system, sources=[source], train=False).findings == 0


def test_a_closed_lapsed_registration_is_not_reopened_by_the_next_run(
    db: Session, grids: list[str], system: Principal
) -> None:
    person = people.create_person(
        db, principal=system,
        person_in=person_in(name="林芳", sequence=21, residence_type="floating",
                            permit_expires_on=date.today() - timedelta(days=30)),
    )  # fmt: skip
    source, _ = register(db, "police_hukou")
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, _hukou("L1", "林芳", date(1985, 3, 14), 21))])  # fmt: skip
    reconcile(db, principal=system, sources=[source], train=False)
    lapsed = db.scalar(select(SourceFinding).where(SourceFinding.kind == "registration_lapsed"))
    assert lapsed is not None and lapsed.person_id == person.id
    findings.close(
        db, principal=principal(Role.COMMUNITY_STAFF, GRID_A[:12], 12), finding_id=lapsed.id,
        reason="已办理续签",
    )  # fmt: skip
    # A changed record of hers is decided again; the lapsed registration stays closed.
    load_rows(db, principal=system, source=source, channel="file",
              rows=[(2, {**_hukou("L1", "林芳", date(1985, 3, 14), 21), "LXDH": "13900001111"})])  # fmt: skip
    assert reconcile(db, principal=system, sources=[source], train=False).records == 1
    kinds = [f.kind for f in db.scalars(select(SourceFinding))]
    assert kinds.count("registration_lapsed") == 1


def test_staff_close_a_finding_on_the_page_and_the_api(
    client: TestClient, db: Session, grids: list[str], system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    evidence = {"last_seen": "2020-01-02", "in_base_since": "2019-05-06"}
    made = [
        SourceFinding(kind="not_seen", source_id=source.id, grid_code=GRID_A, status="open",
                      evidence=evidence, created_at=utcnow())
        for _ in range(2)
    ]  # fmt: skip
    db.add_all(made)
    db.commit()
    user = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    other = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_OTHER[:12])
    headers = auth_headers(client, user)
    listed = client.get("/api/v1/sources/findings", headers=headers).json()
    assert {f["id"] for f in listed} == {f.id for f in made}
    url = f"/api/v1/sources/findings/{made[0].id}/close"
    assert client.post(url, json={"reason": ""}, headers=headers).status_code == 422
    assert client.post(url, json={}, headers=headers).status_code == 422
    assert (
        client.post(url, json={"reason": "核实"}, headers=auth_headers(client, other)).status_code
        == 404
    )
    closed = client.post(url, json={"reason": "已上门核实，人在"}, headers=headers)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["close_reason"]) == (
        "closed",
        "已上门核实，人在",
    )
    assert client.post(url, json={"reason": "再次"}, headers=headers).status_code == 400
    open_ids = [f["id"] for f in client.get("/api/v1/sources/findings", headers=headers).json()]
    history = client.get("/api/v1/sources/findings?status=closed", headers=headers).json()
    assert open_ids == [made[1].id] and [f["id"] for f in history] == [made[0].id]

    client.cookies.clear()
    assert web_login(client, user.username).status_code == 303
    page = client.get("/sources/findings")
    assert f'action="/sources/findings/{made[1].id}/close"' in page.text
    assert "最后见于来源: 2020-01-02" in page.text
    answer = client.post(
        f"/sources/findings/{made[1].id}/close",
        data={"reason": "已迁出，转交户籍", "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert "暂无比对发现" in client.get("/sources/findings").text
    closed_page = client.get("/sources/findings?status=closed").text
    assert "已迁出，转交户籍" in closed_page and "已上门核实，人在" in closed_page
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "source.finding.close")
    ).all()
    assert sorted(e.note or "" for e in entries) == sorted(["已上门核实，人在", "已迁出，转交户籍"])
