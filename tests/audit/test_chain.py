from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gridgov.audit import chain, hashing, trail
from gridgov.audit.guards import AuditImmutableError
from gridgov.authz.principal import Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.models.audit import AuditEntry
from tests.audit.helpers import disable_guards

ALICE = Principal(user_id=7, username="alice", role=Role.DISPATCHER, channel="api")


def write(db: Session, n: int, action: str = "case.update") -> list[AuditEntry]:
    entries = [
        trail.record(
            db,
            action=action,
            object_type="case",
            object_id=i,
            principal=ALICE,
            before={"status": "open"},
            after={"status": "dispatched", "n": i},
        )
        for i in range(n)
    ]
    db.commit()
    return entries


def test_entries_are_sealed_after_commit(db: Session) -> None:
    start, _ = chain.head(db.connection())
    first = write(db, 2)
    second = write(db, 3)
    seqs = [e.seq for e in first + second]
    # expire_on_commit=False: reload what the sealer wrote
    for entry in first + second:
        db.refresh(entry)
    seqs = [e.seq for e in first + second]
    assert seqs == list(range(start + 1, start + 6))
    assert all(e.chain_hash for e in first + second)
    report = chain.verify(db.connection())
    assert report.ok, report.problems
    assert report.head_seq == start + 5


def test_uncommitted_entries_vanish_with_their_transaction(db: Session) -> None:
    before = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    trail.record(db, action="x.y", object_type="x")
    db.rollback()
    after = db.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
    assert before == after


def test_orm_cannot_update_or_delete(db: Session) -> None:
    (entry,) = write(db, 1)
    entry.action = "case.delete"
    with pytest.raises(AuditImmutableError):
        db.flush()
    db.rollback()
    db.delete(entry)
    with pytest.raises(AuditImmutableError):
        db.flush()
    db.rollback()
    with pytest.raises(AuditImmutableError):
        db.execute(update(AuditEntry).values(note="x"))
    db.rollback()


def test_database_refuses_update_delete_and_resealing(db: Session) -> None:
    (entry,) = write(db, 1)
    db.refresh(entry)
    for sql in (
        f"UPDATE audit_entries SET action = 'x' WHERE id = {entry.id}",
        f"DELETE FROM audit_entries WHERE id = {entry.id}",
        f"UPDATE audit_entries SET seq = seq + 1000 WHERE id = {entry.id}",
        f"UPDATE audit_entries SET chain_hash = 'f' WHERE id = {entry.id}",
    ):
        nested = db.begin_nested()
        with pytest.raises(DBAPIError):
            db.execute(text(sql))
        nested.rollback()
    if db.connection().dialect.name == "postgresql":
        nested = db.begin_nested()
        with pytest.raises(DBAPIError):
            db.execute(text("TRUNCATE audit_entries"))
        nested.rollback()
    assert db.get(AuditEntry, entry.id) is not None


def test_verify_names_an_altered_entry(db: Session) -> None:
    entries = write(db, 5)
    victim = entries[2]
    disable_guards(db.connection())
    db.execute(
        text("UPDATE audit_entries SET note = 'nothing happened' WHERE id = :id"),
        {"id": victim.id},
    )
    report = chain.verify(db.connection())
    assert not report.ok
    assert report.first_broken is not None and report.first_broken.entry_id == victim.id
    assert "altered" in report.first_broken.reason


def test_verify_catches_an_altered_entry_with_a_recomputed_plain_hash(db: Session) -> None:
    """Without the key, rewriting the content and a plain SHA-256 does not help."""
    import hashlib

    entries = write(db, 3)
    victim = entries[1]
    db.refresh(victim)
    content = hashing.entry_content(victim)
    content["after"] = {"status": "closed"}
    forged = hashlib.sha256(hashing.canonical(content).encode()).hexdigest()
    disable_guards(db.connection())
    db.execute(
        text("UPDATE audit_entries SET after = :after, entry_hash = :h WHERE id = :id"),
        {"after": json.dumps({"status": "closed"}), "h": forged, "id": victim.id},
    )
    report = chain.verify(db.connection())
    assert report.first_broken is not None and report.first_broken.entry_id == victim.id


def test_verify_names_the_entry_after_a_removed_one(db: Session) -> None:
    entries = write(db, 5)
    for e in entries:
        db.refresh(e)
    disable_guards(db.connection())
    db.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[1].id})
    report = chain.verify(db.connection())
    assert report.first_broken is not None
    assert report.first_broken.entry_id == entries[2].id
    assert "missing" in report.first_broken.reason


def test_verify_catches_out_of_band_inserts(db: Session) -> None:
    entries = write(db, 2)
    db.refresh(entries[-1])
    head_seq = entries[-1].seq
    assert head_seq is not None
    conn = db.connection()
    columns = "at, action, object_type, outcome, entry_hash"
    # 1) a row slipped in with a made-up place in the chain
    conn.execute(
        text(
            f"INSERT INTO audit_entries ({columns}, seq, chain_hash) "
            "VALUES (:at, 'user.create', 'user', 'success', :h, :seq, :c)"
        ),
        {"at": utcnow(), "h": "a" * 64, "seq": head_seq + 1, "c": "b" * 64},
    )
    report = chain.verify(conn)
    assert report.first_broken is not None and report.first_broken.seq == head_seq + 1
    # 2) an unsealed row with a forged hash is never sealed and is reported
    conn.execute(
        text(f"INSERT INTO audit_entries ({columns}) VALUES (:at, 'x', 'y', 'success', :h)"),
        {"at": utcnow(), "h": "c" * 64},
    )
    assert chain.seal(conn) == 0
    reasons = [p.reason for p in chain.verify(conn).problems]
    assert any("forged" in r for r in reasons)


def test_expected_head_detects_removed_newest_entries(db: Session) -> None:
    entries = write(db, 3)
    for e in entries:
        db.refresh(e)
    recorded = (entries[-1].seq, entries[-1].chain_hash)
    assert chain.verify(db.connection(), expect_head=recorded).ok  # type: ignore[arg-type]
    disable_guards(db.connection())
    db.execute(text("DELETE FROM audit_entries WHERE id = :id"), {"id": entries[-1].id})
    report = chain.verify(db.connection(), expect_head=recorded)  # type: ignore[arg-type]
    assert not report.ok and "removed" in report.problems[0].reason


def test_nul_bytes_never_break_the_trail(db: Session) -> None:
    entry = trail.record(db, action="x.nul", object_type="t", note="a\x00b", after={"v": "c\x00d"})
    db.commit()
    db.refresh(entry)
    assert entry.note == "a\ufffdb" and entry.after == {"v": "c\ufffdd"}
    assert chain.verify(db.connection()).ok
