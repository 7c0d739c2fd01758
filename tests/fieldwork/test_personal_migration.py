"""The data migration of field records (``20261126_field_personal``): rows stored in plain before
it hold ciphertexts and masks after it, and a phone re-sending such a record still gets
``duplicate`` (or 409 for other content) — its content hash was re-keyed, not lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import JSON, column, func, insert, select, table, text
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.sync.schemas import SyncRecord
from gridgov.fieldwork.sync.service import content_hash, plain_digest, sync_batch
from gridgov.kit.crypto import decrypt
from gridgov.kit.db import make_engine
from gridgov.kit.migrations import upgrade
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from gridgov.models.task import Task
from tests.conftest import database_at
from tests.fieldwork.conftest import population_record

BEFORE = "20261126_one_head"
PHONE, OTHER_PHONE = "13912345678", "13787654321"
GRID = "420502001001001"


@pytest.fixture
def old_database(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database migrated up to the revision before the data migration."""
    with database_at(BEFORE, backend, tmp_path) as url:
        yield url


def stored_in_plain(session: Session, record: SyncRecord) -> None:
    """What the sync service stored before: plain answers, the unkeyed digest."""
    session.add(
        FieldSubmission(
            uuid=record.uuid,
            content_hash=plain_digest(record),
            kind="form",
            module_code="population",
            module_version=1,
            user_id=1,
            grid_code=GRID,
            data=dict(record.data),
            state="applied",
        )
    )
    changed = record.model_copy(update={"data": {**record.data, "phone": OTHER_PHONE}})
    session.add(
        SyncConflict(
            uuid=record.uuid,
            content_hash=plain_digest(changed),
            kind="uuid_mismatch",
            user_id=1,
            grid_code=GRID,
            record=changed.model_dump(mode="json"),
            state="open",
        )
    )
    # The tasks table as it was at that revision (the model has grown columns since).
    old_tasks = table(
        "tasks",
        column("kind"),
        column("title"),
        column("grid_code"),
        column("state"),
        column("module_code"),
        column("result", JSON),
        column("result_submission_uuid"),
    )
    session.flush()
    session.execute(
        insert(old_tasks).values(
            kind="visit",
            title="入户核查",
            grid_code=GRID,
            state="done",
            module_code="population",
            result=dict(record.data),
            result_submission_uuid=record.uuid,
        )
    )


def test_plain_rows_are_encrypted_and_resends_still_match(old_database: str) -> None:
    engine = make_engine(old_database)
    record = SyncRecord(**population_record())
    record.data["phone"] = PHONE
    number = record.data["id_number"]
    with Session(engine) as session:
        registry.install_defaults(session)
        stored_in_plain(session, record)
        session.commit()

    upgrade(old_database)

    with Session(engine) as session:
        raw = " ".join(
            row
            for table, column in (
                ("field_submissions", "data"),
                ("field_sync_conflicts", "record"),
                ("tasks", "result"),
            )
            for row in session.scalars(text(f"SELECT CAST({column} AS TEXT) FROM {table}"))
        )
        for secret in (number, PHONE, OTHER_PHONE, plain_digest(record)):
            assert secret not in raw
        submission = session.scalars(select(FieldSubmission)).one()
        assert decrypt(submission.data["phone"]["enc"]) == PHONE
        assert submission.data["id_number"]["masked"] == number[:6] + "********" + number[-4:]
        assert submission.data["name"] == record.data["name"]  # only the protected answers
        assert submission.content_hash == content_hash(record)
        conflict = session.scalars(select(SyncConflict)).one()
        assert decrypt(conflict.record["data"]["phone"]["enc"]) == OTHER_PHONE
        task = session.scalars(select(Task)).one()
        assert task.result is not None and task.result["phone"] == "139****5678"

        worker = Principal(user_id=1, username="w", role=Role.GRID_WORKER, region_code=GRID)
        changed = record.model_copy(update={"data": {**record.data, "phone": OTHER_PHONE}})
        results = sync_batch(session, principal=worker, records=[record, changed])
        assert [r.status for r in results] == ["duplicate", "rejected"]
        session.flush()
        # The conflicting content was kept once already: the re-keyed hash finds it.
        assert session.scalar(select(func.count()).select_from(SyncConflict)) == 1
        session.rollback()
    engine.dispose()
