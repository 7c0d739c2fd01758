"""Resident ID numbers and phones in field records: encrypted in the tables (checked on the raw
rows), masked wherever shown, decrypted only to apply a record to the population base, in full
only through a trailed full view; the idempotency contract does not notice any of it."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.fieldwork.sync.schemas import SyncRecord
from gridgov.fieldwork.sync.service import content_hash, plain_digest
from gridgov.kit.crypto import decrypt, lookup_hash
from gridgov.models.audit import AuditEntry
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import population_record
from tests.fieldwork.test_newcomers import known_person, newcomer, person_by_id, sync
from tests.fieldwork.test_population_sync import make_person

PHONE, OTHER_PHONE = "13912345678", "13787654321"
CONFLICTS = "/api/v1/field/conflicts"


def raw_rows(db: Session) -> str:
    """Everything the two tables hold, as the database stores it."""
    db.flush()
    rows = db.execute(
        text(
            "SELECT CAST(data AS TEXT), content_hash FROM field_submissions "
            "UNION ALL SELECT CAST(record AS TEXT), content_hash FROM field_sync_conflicts"
        )
    ).all()
    return "\n".join(f"{r[0]} {r[1]}" for r in rows)


def supervisor_headers(client: TestClient, db: Session, grid: Any) -> dict[str, str]:
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    return auth_headers(client, supervisor)


def test_no_plain_id_number_or_phone_in_the_tables(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    record = newcomer(phone=PHONE)
    number = record["data"]["id_number"]
    [stored] = sync(client, worker_headers, record)
    assert stored["status"] == "stored"
    changed = {**record, "data": {**record["data"], "phone": OTHER_PHONE}}
    [rejected] = sync(client, worker_headers, changed)
    assert (rejected["status"], rejected["code"]) == ("rejected", 409)

    raw = raw_rows(db)
    for secret in (number, PHONE, OTHER_PHONE, number[-8:], PHONE[-8:]):
        assert secret not in raw
    # Nor a digest a dictionary search could match: the content hash is keyed.
    for sent in (record, changed):
        assert plain_digest(SyncRecord(**sent)) not in raw
        assert content_hash(SyncRecord(**sent)) == lookup_hash(plain_digest(SyncRecord(**sent)))
        assert content_hash(SyncRecord(**sent)) in raw
    # What is there: the ciphertext and the mask.
    submission = db.execute(text("SELECT data FROM field_submissions")).scalar_one()
    sealed = submission if isinstance(submission, dict) else json.loads(submission)
    assert sealed["id_number"]["masked"] == number[:6] + "********" + number[-4:]
    assert decrypt(sealed["phone"]["enc"]) == PHONE
    person = person_by_id(db, number)
    assert person is not None and person.phone_masked == "139****5678"


def test_resends_stay_duplicates_and_changes_stay_conflicts(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    record = newcomer(phone=PHONE)
    [first] = sync(client, worker_headers, record)
    reordered = {**record, "data": dict(reversed(list(record["data"].items())))}
    results = sync(client, worker_headers, record, reordered)
    assert [(r["status"], r["id"]) for r in results] == [("duplicate", first["id"])] * 2
    for change in ({"phone": OTHER_PHONE}, {"id_number": record["data"]["id_number"][:-1] + "X"}):
        [result] = sync(client, worker_headers, {**record, "data": {**record["data"], **change}})
        assert (result["status"], result["code"]) == ("rejected", 409)
    # The hash is of the plain content as received, only keyed: same content, same hash.
    assert content_hash(SyncRecord(**record)) == content_hash(SyncRecord(**reordered))
    assert content_hash(SyncRecord(**record)) != content_hash(
        SyncRecord(**{**record, "data": {**record["data"], "phone": OTHER_PHONE}})
    )


def test_supervisor_sees_masks_and_accepting_applies_the_real_values(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    person = make_person(db, grid.code)
    db.commit()
    stale = population_record(subject_type="person", subject_id=str(person.id), base_version=0)
    stale["data"].update(id_number="11010519491231002X", phone=PHONE)
    [result] = sync(client, worker_headers, stale)
    assert result["status"] == "stale"

    headers = supervisor_headers(client, db, grid)
    [conflict] = client.get(CONFLICTS, headers=headers).json()
    assert conflict["record"]["data"]["phone"] == "139****5678"
    assert conflict["record"]["data"]["id_number"] == "110105********002X"
    mine = client.get("/api/v1/field/submissions", headers=worker_headers).json()
    assert mine[0]["data"]["phone"] == "139****5678"
    in_area = client.get("/api/v1/field/submissions", headers=headers).json()
    assert in_area[0]["data"]["id_number"] == "110105********002X"
    assert PHONE not in str(mine) + str(in_area) + str(conflict)

    response = client.post(
        f"{CONFLICTS}/{conflict['id']}/resolve", json={"resolution": "accept"}, headers=headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["record"]["data"]["phone"] == "139****5678"
    db.refresh(person)
    assert person.version == 2 and person.phone_enc is not None
    assert decrypt(person.phone_enc) == PHONE


def test_a_known_newcomer_is_accepted_with_the_real_id_number(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    record = newcomer(phone=PHONE)
    known = known_person(db, grid.code, record["data"]["id_number"])
    [result] = sync(client, worker_headers, record)
    assert result["review"] == "id_exists"
    headers = supervisor_headers(client, db, grid)
    [conflict] = client.get(CONFLICTS, headers=headers).json()
    response = client.post(
        f"{CONFLICTS}/{conflict['id']}/resolve", json={"resolution": "accept"}, headers=headers
    )
    assert response.status_code == 200, response.text
    db.refresh(known)
    assert known.version == 2 and decrypt(str(known.phone_enc)) == PHONE


def test_full_view_of_a_conflict_needs_a_purpose_and_is_trailed(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    record = newcomer(phone=PHONE)
    known_person(db, grid.code, record["data"]["id_number"])
    sync(client, worker_headers, record)
    headers = supervisor_headers(client, db, grid)
    [conflict] = client.get(CONFLICTS, headers=headers).json()
    url = f"{CONFLICTS}/{conflict['id']}/full-view"

    assert client.post(url, json={"purpose": "看"}, headers=headers).status_code == 422
    leader = create_user(db, role=Role.LEADER)
    refused = client.post(url, json={"purpose": "核对新居民"}, headers=auth_headers(client, leader))
    assert refused.status_code == 403

    response = client.post(url, json={"purpose": "核对新居民身份"}, headers=headers)
    assert response.status_code == 200, response.text
    data = response.json()["record"]["data"]
    assert (data["id_number"], data["phone"]) == (record["data"]["id_number"], PHONE)
    entry = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "field.conflict.full_view")
    ).one()
    assert (entry.object_id, entry.purpose) == (str(conflict["id"]), "核对新居民身份")
    assert PHONE not in str(entry.after) + str(entry.before)


def test_the_review_page_shows_the_mask(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    record = newcomer(phone=PHONE)
    number = record["data"]["id_number"]
    known_person(db, grid.code, number)
    sync(client, worker_headers, record)
    client.headers.pop("Authorization", None)
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    web_login(client, supervisor.username)
    page = client.get("/field/supervise")
    assert page.status_code == 200
    assert number[:6] + "********" + number[-4:] in page.text
    assert number not in page.text and "v1:" not in page.text
