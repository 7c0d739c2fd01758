"""Issue 16 items 10 and 11: a synced record whose effect failed is answered with what happened
(not a bare ``stored``), and concurrent first syncs on a fresh database install the shipped
modules once instead of failing on ``uq_field_modules_code_version``."""

from __future__ import annotations

import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.forms.repository import ModuleRepository
from gridgov.kit.db import make_engine
from gridgov.models.field_module import FieldModule
from gridgov.models.field_submission import FieldSubmission
from tests.fieldwork.conftest import (
    INSIDE,
    grid,
    make_grid,
    new_uuid,
    population_record,
    worker,
    worker_headers,
)

__all__ = ["grid", "worker", "worker_headers"]  # the field workers' fixtures

PG_URL = os.environ.get("GRIDGOV_TEST_DATABASE_URL")
NEIGHBOUR_GRID = "420502001001002"


def sync(client: TestClient, headers: dict, *records: dict) -> list[dict[str, Any]]:
    response = client.post("/api/v1/field/sync", json={"records": list(records)}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


def test_a_record_whose_effect_failed_says_so(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    # An update of a person who is not in the base: stored (the phone must not resend it), but
    # the base did not change, and the phone is told why.
    record = population_record(subject_type="person", subject_id="987654321", base_version=1)
    [result] = sync(client, worker_headers, record)
    assert result["status"] == "stored" and result["ref"] is None
    assert result["effect"] == "error"
    assert result["errors"] and result["errors"][0]["reason"]
    [again] = sync(client, worker_headers, record)  # the phone re-sends after a timeout
    assert again["status"] == "duplicate" and again["effect"] == "error"
    assert again["errors"] == result["errors"]  # the reason again: the first answer was lost

    newcomer = population_record()
    [applied] = sync(client, worker_headers, newcomer)
    assert applied["status"] == "stored" and applied["effect"] == "applied"
    assert applied["ref"].startswith("person:") and applied["errors"] == []


def test_a_re_sent_record_whose_effect_failed_gets_the_reason_again(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    # A report located in the neighbouring grid: stored, but no case (outside the worker's grid).
    make_grid(db, NEIGHBOUR_GRID, offset=0.02)
    report = {
        "uuid": new_uuid(),
        "kind": "report",
        "data": {"category": "E0101", "description": "路灯不亮", "photos": []},
        "lng": INSIDE[0] + 0.02,
        "lat": INSIDE[1],
    }
    [first] = sync(client, worker_headers, report)
    assert (first["status"], first["effect"], first["ref"]) == ("stored", "error", None)
    [why] = first["errors"]
    assert why["code"] and why["message"] and why["message_en"] and why["reason"]
    assert why["message"] != why["message_en"]  # both languages
    stored = db.scalars(select(FieldSubmission).where(FieldSubmission.uuid == report["uuid"])).one()
    assert (stored.state, stored.effect_error) == ("error", why)

    # The answer was lost: the phone sends it again, alone and twice in one batch.
    [again] = sync(client, worker_headers, report)
    assert (again["status"], again["effect"], again["errors"]) == ("duplicate", "error", [why])
    twice = {**report, "uuid": new_uuid()}
    once, copy = sync(client, worker_headers, twice, twice)
    assert (once["status"], once["effect"]) == ("stored", "error")
    assert (copy["status"], copy["effect"], copy["errors"]) == (
        "duplicate",
        "error",
        once["errors"],
    )

    # A re-send of a record whose effect happened carries no errors.
    newcomer = population_record()
    sync(client, worker_headers, newcomer)
    [applied] = sync(client, worker_headers, newcomer)
    assert (applied["status"], applied["effect"], applied["errors"]) == ("duplicate", "applied", [])


def _install_through_sync(session: Session) -> None:
    # The sync's own way in: it resolves the records' modules (installing them on a new base).
    registry.resolve(session, {("population", None)})


@pytest.mark.skipif(not PG_URL, reason="PostgreSQL only: SQLite serialises transactions")
@pytest.mark.parametrize("first_use", [registry.ensure_installed, _install_through_sync])
def test_concurrent_first_uses_install_the_shipped_modules_once(
    fresh_database_url: Any, monkeypatch: pytest.MonkeyPatch, first_use: Any
) -> None:
    engine = make_engine(fresh_database_url("postgresql"))
    both_counted = threading.Barrier(2)
    real_count = ModuleRepository.count
    first_call = threading.local()

    def count_then_meet(self: ModuleRepository) -> int:
        value = real_count(self)
        if not getattr(first_call, "done", False):
            first_call.done = True
            # Both requests see an empty table before either installs.
            with contextlib.suppress(threading.BrokenBarrierError):
                both_counted.wait(timeout=5)
        return value

    monkeypatch.setattr(ModuleRepository, "count", count_then_meet)

    def first_sync(_: int) -> int:
        with Session(engine) as session:
            first_use(session)
            session.commit()
            return len(registry.latest_modules(session))

    with ThreadPoolExecutor(2) as pool:
        seen = list(pool.map(first_sync, range(2)))
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(FieldModule))
    engine.dispose()
    shipped = len(list(registry.DEFAULT_MODULES_DIR.glob("*.xlsx")))
    assert seen == [shipped, shipped]
    assert stored == shipped
