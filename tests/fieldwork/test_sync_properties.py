"""Property: any interleaving of first sends, duplicates, retries after a lost answer, retries of
a batch that crashed half-way, and conflicting re-uses of a UUID stores each record exactly once,
with the content it was first stored with."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.sync.schemas import SyncRecord
from gridgov.fieldwork.sync.service import sync_batch
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from tests.fieldwork.conftest import new_uuid

NAMES = ["环境", "垃圾", "路灯", "井盖"]


def record(uuid: str, variant: int) -> SyncRecord:
    return SyncRecord(
        uuid=uuid,
        kind="form",
        module="environment",
        data={
            "issues": ["garbage"],
            "severity": "minor",
            "description": NAMES[variant % len(NAMES)],
            "location": "30.7 111.3",
        },
        lng=111.3,
        lat=30.7,
    )


operation = st.tuples(
    st.sampled_from(["send", "send", "send", "crash", "conflict"]),
    st.integers(min_value=0, max_value=5),  # which record
    st.integers(min_value=1, max_value=4),  # batch size (records following it, wrapping)
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=st.lists(operation, min_size=1, max_size=12), seed=st.integers(0, 1000))
def test_each_record_is_stored_exactly_once(
    db: Session, principal: Principal, operations: list, seed: int
) -> None:
    uuids = [new_uuid() for _ in range(6)]
    shuffle = random.Random(seed)
    stored: dict[str, str] = {}  # uuid → the content it was first stored with
    outer = db.begin_nested()
    try:
        for kind, first, size in operations:
            chosen = [uuids[(first + i) % len(uuids)] for i in range(size)]
            batch = [record(u, 0) for u in chosen]
            batch += [record(u, 0) for u in chosen if shuffle.random() < 0.3]  # in-batch repeats
            shuffle.shuffle(batch)
            if kind == "conflict":
                batch = [record(chosen[0], 1 + shuffle.randrange(3))]
            if kind == "crash":
                attempt = db.begin_nested()
                sync_batch(db, principal=principal, records=batch)
                attempt.rollback()  # the server died before the commit: nothing was stored
                db.expire_all()
                continue
            attempt = db.begin_nested()
            results = sync_batch(db, principal=principal, records=batch)
            attempt.commit()
            for item, result in zip(batch, results, strict=True):
                content = item.data["description"]
                if item.uuid in stored:
                    expected = "duplicate" if content == stored[item.uuid] else "rejected"
                    assert result.status == expected, (result, item)
                else:
                    assert result.status == "stored", (result, item)
                    stored[item.uuid] = content
        rows = db.execute(
            select(FieldSubmission.uuid, FieldSubmission.data).where(
                FieldSubmission.uuid.in_(uuids)
            )
        ).all()
        assert sorted(r[0] for r in rows) == sorted(stored)
        assert len(rows) == len({r[0] for r in rows})
        for uuid, data in rows:
            assert data["description"] == stored[uuid]
        stored_conflicts = db.scalar(
            select(func.count()).select_from(SyncConflict).where(SyncConflict.uuid.in_(uuids))
        )
        assert stored_conflicts is not None
    finally:
        outer.rollback()
