"""The real sealer: background thread on an engine, concurrent writers, nothing lost."""

from __future__ import annotations

import threading
import time

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from gridgov.audit import chain, trail
from gridgov.kit.db import make_engine
from gridgov.models.audit import AuditEntry


def test_concurrent_writers_are_sealed_into_one_valid_chain(
    backend: str, fresh_database_url
) -> None:  # type: ignore[no-untyped-def]
    url = str(fresh_database_url(backend))
    engine = make_engine(url)
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    writers, per_writer = 4, 15
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(per_writer):
                with factory() as session:
                    trail.record(
                        session, action="test.write", object_type="t", object_id=f"{n}-{i}"
                    )
                    session.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors

    total = writers * per_writer
    deadline = time.monotonic() + 10
    sealed = 0
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            sealed = (
                conn.scalar(
                    select(func.count()).select_from(AuditEntry).where(AuditEntry.seq.is_not(None))
                )
                or 0
            )
        if sealed == total:
            break
        time.sleep(0.05)
    assert sealed == total, "the background sealer did not catch up"
    with engine.connect() as conn:
        report = chain.verify(conn)
        seqs = list(conn.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))
    assert report.ok, report.problems
    assert seqs == list(range(1, total + 1))
    engine.dispose()
