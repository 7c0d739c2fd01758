"""Resident ID numbers and phones in a life event's payload are stored sealed (``kit/sealed.py``):
the row in the database holds ciphertexts and masks, the actions still find the mother by her ID
number, the worker's task text shows masks only; the data migration seals the rows stored in
plain before it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, column, insert, select, table, text
from sqlalchemy.orm import Session

from gridgov.kit.crypto import decrypt
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.lifecycle.events import PAYLOAD_MASKS, payload_of
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.task import Task
from gridgov.people.identifiers import make_resident_id
from gridgov.sources.mapping import ID_FIELDS
from gridgov.sources.mapping import PHONE_FIELDS as SOURCE_PHONE_FIELDS
from tests.conftest import database_at
from tests.lifecycle.conftest import FATHER_ID, MOTHER_ID, birth_event

EVENTS = "/api/v1/lifecycle/events"
PHONE = "13912345678"
CERTIFICATE = "Q420123456"
SPOUSE_ID = make_resident_id("420502", date(1994, 2, 3), 36)


def stored_payloads(db: Session) -> str:
    """Every payload as the database holds it (the text of the JSON column)."""
    return " ".join(db.scalars(text("SELECT CAST(payload AS TEXT) FROM life_events")))


def test_a_birth_is_stored_without_a_plain_id_number_and_still_finds_the_mother(
    client: TestClient, db: Session, family, health_headers
) -> None:
    pushed = client.post(EVENTS, json=birth_event(phone=PHONE), headers=health_headers)
    assert pushed.status_code == 201, pushed.text
    assert pushed.json()["status"] == "tasked"

    raw = stored_payloads(db)
    for secret in (MOTHER_ID, FATHER_ID, PHONE, CERTIFICATE):
        assert secret not in raw
    assert "2026-12-01T08:15:00" in raw  # only the protected fields are sealed
    row = db.get(LifeEvent, pushed.json()["id"])
    assert row is not None
    assert row.payload["mother_id"]["masked"] == MOTHER_ID[:6] + "********" + MOTHER_ID[-4:]
    assert decrypt(row.payload["father_id"]["enc"]) == FATHER_ID
    assert row.payload["phone"]["masked"] == "139****5678"
    # The one accessor gives the values back to the actions (the mother was found: her
    # maternity allowance and the prefilled household; the newborn's links: test_birth_flow).
    plain = payload_of(row.payload)
    assert (plain["mother_id"], plain["phone"], plain["baby_sex"]) == (MOTHER_ID, PHONE, "男")
    assert row.person_id == family.mother.id and row.household_id == family.household.id


def test_the_task_text_shows_masks_only(
    client: TestClient, db: Session, family, police_headers
) -> None:
    moved = {
        "event_type": "move_in",
        "source_ref": "GA-MOVE-1",
        "occurred_on": "2026-12-02",
        "data": {
            "id_number": MOTHER_ID,
            "name": "李娟",
            "from_address": "武汉市",
            "spouse_id": SPOUSE_ID,
            "phone": PHONE,
        },
    }
    pushed = client.post(EVENTS, json=moved, headers=police_headers)
    assert pushed.status_code == 201, pushed.text
    descriptions = " ".join(d or "" for d in db.scalars(select(Task.description)))
    for secret in (MOTHER_ID, SPOUSE_ID, PHONE):
        assert secret not in descriptions
    assert pushed.json()["task_id"], pushed.json()  # the move-in visit
    assert "139****5678" in descriptions and "配偶身份证号" in descriptions


def test_the_protected_fields_cover_the_sources_names() -> None:
    # A department may push a record's fields under the sources' names.
    assert set(PAYLOAD_MASKS) >= ID_FIELDS | SOURCE_PHONE_FIELDS
    assert {"mother_id", "father_id", "spouse_id", "id_number", "birth_cert_no"} <= set(
        PAYLOAD_MASKS
    )


# -- the data migration ---------------------------------------------------------------------------
BEFORE = "20261207_field_effect_error"


@pytest.fixture
def old_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database migrated up to the revision before the data migration."""
    with database_at(BEFORE, backend, tmp_path) as url:
        yield url


def test_the_migration_seals_payloads_stored_in_plain(old_database: str) -> None:
    engine = make_engine(old_database)
    old_events = table(
        "life_events",
        column("event_type"),
        column("source"),
        column("source_ref"),
        column("occurred_on"),
        column("payload", JSON),
        column("grid_code"),
        column("status"),
        column("on_complete", JSON),
    )
    plain = birth_event(phone=PHONE)["data"]
    with Session(engine) as session:
        session.execute(
            insert(old_events),
            [
                {
                    "event_type": "birth",
                    "source": "WJ",
                    "source_ref": f"HOSP-{n}",
                    "occurred_on": date(2026, 12, 1),
                    "payload": payload,
                    "grid_code": "420502001001001",
                    "status": "tasked",
                    "on_complete": [],
                }
                for n, payload in enumerate(({**plain}, {"age": 60}))
            ],
        )
        session.commit()

    upgrade(old_database)

    with Session(engine) as session:
        raw = stored_payloads(session)
        for secret in (MOTHER_ID, FATHER_ID, PHONE, CERTIFICATE):
            assert secret not in raw
        birth, other = session.scalars(select(LifeEvent).order_by(LifeEvent.id)).all()
        assert payload_of(birth.payload) == plain
        assert birth.payload["mother_id"]["masked"] == MOTHER_ID[:6] + "********" + MOTHER_ID[-4:]
        assert other.payload == {"age": 60}
    engine.dispose()
