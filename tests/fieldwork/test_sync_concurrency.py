"""Several connections sending the same batch at the same moment (a phone retrying while its
first request is still running) store each record once: the unique UUID decides, not a check
made before the insert."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.sync.schemas import SyncRecord
from gridgov.fieldwork.sync.service import sync_batch
from gridgov.kit.db import make_engine
from gridgov.models.field_submission import FieldSubmission, SyncConflict
from tests.fieldwork.conftest import new_uuid
from tests.fieldwork.test_sync_properties import record


def test_concurrent_resends_store_once(backend: str, fresh_database_url: Any) -> None:
    url = fresh_database_url(backend)
    engine = make_engine(url)
    with Session(engine) as session:
        registry.install_defaults(session)
        session.commit()
    principal = Principal(
        user_id=1, username="w", role=Role.GRID_WORKER, region_code="420502001001001"
    )
    batch = [record(new_uuid(), 0) for _ in range(50)]
    changed = [record(batch[0].uuid, 1)]  # one client re-uses a UUID with other content
    statuses: list[list[str]] = []
    barrier = threading.Barrier(5)

    def send(records: list[SyncRecord]) -> None:
        barrier.wait()
        with Session(engine) as session:
            results = sync_batch(session, principal=principal, records=records)
            session.commit()
        statuses.append([r.status for r in results])

    threads = [threading.Thread(target=send, args=(batch,)) for _ in range(4)]
    threads.append(threading.Thread(target=send, args=(changed,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(FieldSubmission))
        first = session.scalars(
            select(FieldSubmission).where(FieldSubmission.uuid == batch[0].uuid)
        ).one()
        conflicts = session.scalar(select(func.count()).select_from(SyncConflict))
    engine.dispose()
    assert stored == 50
    assert sum(s.count("stored") for s in statuses) == 50  # each UUID stored by exactly one
    assert all(set(s) <= {"stored", "duplicate", "rejected"} for s in statuses)
    # Whichever content won the race for batch[0] stands; the other content is one conflict row.
    assert conflicts == 1
    assert first.data["description"] in ("环境", "垃圾")
