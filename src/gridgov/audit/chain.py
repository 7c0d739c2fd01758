"""The hash chain over the trail: sealing (give each committed entry its place) and verifying.

``chain_hash(n) = HMAC(key, chain_hash(n-1) | entry_hash(n) | n)`` with ``chain_hash(0)`` =
64 zeros. Writers never wait for each other: an entry only gets ``entry_hash`` on insert; the
sealer assigns ``seq`` and ``chain_hash`` in commit order afterwards (serialised by
``pg_advisory_xact_lock`` on PostgreSQL and by the write lock on SQLite). It runs in a background
thread after commits (coalescing bursts), at process exit, and in ``gridgov audit seal/verify``.

Verification recomputes every entry's content hash and the chain: an altered row, a removed row
(gap in ``seq``), or a row inserted out of band (bad content hash or chain hash) is reported with
the first broken entry.

Key rotation (``gridgov keys rotate``): the key is derived from the signing secret, and the
secrets of ``GRIDGOV_RETIRED_SECRET_KEYS`` still verify what they hashed and linked. Along the
chain the linking key only moves forward (oldest → current): a holder of a retired secret
cannot append after the first entry linked under a newer one. Once the ``keys.rotated`` entry is
written, entries hashed under a retired secret that were inserted after it are never sealed.
"""

from __future__ import annotations

import atexit
import hashlib
import hmac
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, bindparam, func, select, update

from gridgov.audit.hashing import HASHED_FIELDS, content_of, hash_content, trail_keys
from gridgov.kit.clock import utcnow
from gridgov.models.audit import AuditEntry

log = logging.getLogger(__name__)

GENESIS = "0" * 64
ADVISORY_LOCK_KEY = 0x67726964_61756474  # "gridaudt"
SEAL_BATCH = 5000
# The background sealer waits this long after the first commit of a burst, so that a busy server
# seals many entries per transaction instead of one transaction per request.
SEAL_DELAY_SECONDS = 0.2
_TABLE = cast(Table, AuditEntry.__table__)
_CONTENT_COLUMNS = [_TABLE.c[name] for name in HASHED_FIELDS]
# The trail entry `gridgov keys rotate` writes once the new secret is in use (ops/keys.py).
ROTATION_ACTION = "keys.rotated"


def link(previous: str, entry_hash: str, seq: int, *, key: bytes) -> str:
    message = f"{previous}|{entry_hash}|{seq}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _content_epoch(values: Any, entry_hash: str, ring: list[bytes], first: int) -> int | None:
    """The index in ``ring`` of the key that hashed this content (``first`` tried first)."""
    content = content_of(dict(values))
    for epoch in (first, *(e for e in range(len(ring) - 1, -1, -1) if e != first)):
        if hash_content(content, key=ring[epoch]) == entry_hash:
            return epoch
    return None


def _rotation_mark(conn: Connection) -> int | None:
    """Id of the newest ``keys.rotated`` entry: retired keys hashed only what came before."""
    return conn.execute(
        select(func.max(_TABLE.c.id)).where(_TABLE.c.action == ROTATION_ACTION)
    ).scalar()


def _genuine(row: Any, ring: list[bytes], mark: int | None) -> bool:
    epoch = _content_epoch(row._mapping, row.entry_hash, ring, len(ring) - 1)
    if epoch is None:
        return False
    return epoch == len(ring) - 1 or mark is None or row.id < mark


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(ADVISORY_LOCK_KEY)))


def head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(
        select(_TABLE.c.seq, _TABLE.c.chain_hash)
        .where(_TABLE.c.seq.is_not(None))
        .order_by(_TABLE.c.seq.desc())
        .limit(1)
    ).first()
    if row is None:
        return 0, GENESIS
    return int(row.seq), str(row.chain_hash)


def seal(conn: Connection, *, limit: int | None = None) -> int:
    """Place every committed, unsealed, genuine entry in the chain (inside ``conn``'s
    transaction). Entries whose content does not match their hash are left out (verification
    reports them). Returns the number of entries sealed."""
    _lock(conn)
    ring = trail_keys()
    key, mark = ring[-1], _rotation_mark(conn) if len(ring) > 1 else None
    seq, previous = head(conn)
    sealed = 0
    while limit is None or sealed < limit:
        batch = SEAL_BATCH if limit is None else min(SEAL_BATCH, limit - sealed)
        rows = conn.execute(
            select(_TABLE.c.id, _TABLE.c.entry_hash, *_CONTENT_COLUMNS)
            .where(_TABLE.c.seq.is_(None))
            .order_by(_TABLE.c.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        updates: list[dict[str, Any]] = []
        # A row whose hash is already in the chain is a replayed copy of a genuine entry (its
        # content hashes right, so only its position tells): it is never sealed.
        placed = _sealed_hashes(conn, [row.entry_hash for row in rows])
        for row in rows:
            if not _genuine(row, ring, mark):
                continue
            if row.entry_hash in placed:
                continue
            placed.add(row.entry_hash)
            seq += 1
            previous = link(previous, row.entry_hash, seq, key=key)
            updates.append({"_id": row.id, "_seq": seq, "_chain": previous})
        if updates:
            conn.execute(
                update(_TABLE)
                .where(_TABLE.c.id == bindparam("_id"))
                .values(seq=bindparam("_seq"), chain_hash=bindparam("_chain")),
                updates,
            )
            sealed += len(updates)
        if not updates or len(rows) < batch:
            # Nothing more to read, or only forged rows left: they stay unsealed (verification
            # reports them).
            break
    return sealed


def _sealed_hashes(conn: Connection, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), 500):
        found.update(
            conn.execute(
                select(_TABLE.c.entry_hash).where(
                    _TABLE.c.entry_hash.in_(hashes[start : start + 500]), _TABLE.c.seq.is_not(None)
                )
            ).scalars()
        )
    return found


def seal_engine(engine: Engine) -> int:
    with engine.begin() as conn:
        return seal(conn)


# ------------------------------------------------------------------ background sealing


class _Sealer:
    """One daemon thread per engine; commits only poke it, bursts are sealed together."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.wake = threading.Event()
        self.thread: threading.Thread | None = None
        self.guard = threading.Lock()

    def poke(self) -> None:
        self.wake.set()
        with self.guard:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(
                    target=self._run, name="gridgov-audit-sealer", daemon=True
                )
                self.thread.start()

    def _run(self) -> None:
        failures = 0
        while True:
            self.wake.wait()
            time.sleep(SEAL_DELAY_SECONDS)
            self.wake.clear()
            try:
                seal_engine(self.engine)
                failures = 0
            except Exception:  # retried with back-off; `gridgov audit seal` does it by hand
                failures += 1
                log.exception("sealing the audit trail failed (attempt %d)", failures)
                time.sleep(min(60.0, 0.5 * 2**failures))
                self.wake.set()

    def drain(self) -> None:
        if self.wake.is_set():
            self.wake.clear()
            try:
                seal_engine(self.engine)
            except Exception:
                log.exception("sealing the audit trail at exit failed")


_sealers: weakref.WeakKeyDictionary[Engine, _Sealer] = weakref.WeakKeyDictionary()
_sealers_guard = threading.Lock()


def seal_after_commit(bind: Engine | Connection) -> None:
    """Called after a transaction with trail entries committed."""
    if isinstance(bind, Connection):
        # A connection handed in from outside (tests): seal right there, synchronously.
        if bind.closed or bind.invalidated:
            return
        seal(bind)
        return
    with _sealers_guard:
        sealer = _sealers.get(bind)
        if sealer is None:
            sealer = _sealers[bind] = _Sealer(bind)
    sealer.poke()


@atexit.register
def drain_all() -> None:
    """Seal what this process still owes the chain (at exit, or before a database goes away)."""
    for sealer in list(_sealers.values()):
        sealer.drain()


# ------------------------------------------------------------------ verification


@dataclass
class Problem:
    entry_id: int | None
    seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry id={self.entry_id}" if self.entry_id is not None else "entry"
        if self.seq is not None:
            where += f" seq={self.seq}"
        return f"{where}: {self.reason}"


@dataclass
class Report:
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    unsealed_recent: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _stream(conn: Connection, *, sealed: bool) -> Iterator[Any]:
    where = _TABLE.c.seq.is_not(None) if sealed else _TABLE.c.seq.is_(None)
    order = _TABLE.c.seq if sealed else _TABLE.c.id
    last: int | None = None
    while True:
        stmt = (
            select(_TABLE.c.id, _TABLE.c.seq, _TABLE.c.entry_hash, _TABLE.c.chain_hash)
            .add_columns(*_CONTENT_COLUMNS)
            .where(where)
            .order_by(order)
            .limit(SEAL_BATCH)
        )
        if last is not None:
            stmt = stmt.where(order > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq if sealed else rows[-1].id


def verify(
    conn: Connection,
    *,
    grace: timedelta = timedelta(seconds=10),
    expect_head: tuple[int, str] | None = None,
    max_problems: int = 100,
) -> Report:
    """Check the whole chain. ``expect_head`` = a (seq, chain_hash) recorded earlier elsewhere:
    detects removal of the newest entries, which no chain can detect on its own."""
    ring = trail_keys()
    mark = _rotation_mark(conn) if len(ring) > 1 else None
    report = Report()
    previous, expected_seq, epoch = GENESIS, 1, 0

    def problem(row: Any, reason: str) -> None:
        if len(report.problems) < max_problems:
            report.problems.append(Problem(row.id if row is not None else None, _seq(row), reason))

    seen: set[str] = set()
    for row in _stream(conn, sealed=True):
        report.checked += 1
        if row.entry_hash in seen:
            problem(row, "a copy of an entry already in the chain (replayed)")
        seen.add(row.entry_hash)
        if row.seq != expected_seq:
            if row.seq > expected_seq:
                problem(row, f"entries seq {expected_seq}..{row.seq - 1} are missing (removed)")
            else:
                problem(row, "duplicate position in the chain")
        # The linking key never goes back to an older secret along the chain.
        linked = next(
            (
                e
                for e in range(epoch, len(ring))
                if link(previous, row.entry_hash, row.seq, key=ring[e]) == row.chain_hash
            ),
            None,
        )
        if (
            _content_epoch(row._mapping, row.entry_hash, ring, epoch if linked is None else linked)
            is None
        ):
            problem(row, "content does not match its hash (altered)")
        if linked is None:
            problem(row, "chain hash does not follow from the previous entry (altered or inserted)")
        else:
            epoch = linked
        chained = row.chain_hash or link(previous, row.entry_hash, row.seq, key=ring[epoch])
        previous, expected_seq = chained, row.seq + 1
        report.head_seq, report.head_hash = row.seq, previous
    if expect_head is not None:
        seq, chain_hash = expect_head
        found = conn.execute(select(_TABLE.c.chain_hash).where(_TABLE.c.seq == seq)).scalar()
        if found is None:
            report.problems.append(
                Problem(None, seq, "recorded head is missing (newest entries removed)")
            )
        elif found != chain_hash:
            report.problems.append(Problem(None, seq, "recorded head hash differs (rewritten)"))
    now = utcnow()
    for row in _stream(conn, sealed=False):
        if not _genuine(row, ring, mark):
            problem(row, "unsealed entry with a forged hash (inserted out of band or altered)")
            continue
        if row.entry_hash in seen:
            problem(row, "a copy of an entry already in the chain (replayed)")
            continue
        at = row.at if row.at.tzinfo else row.at.replace(tzinfo=UTC)
        if now - at > grace:
            problem(row, "committed but not sealed (run `gridgov audit seal`)")
        else:
            report.unsealed_recent += 1
    return report


def _seq(row: Any) -> int | None:
    return None if row is None else row.seq


def verify_engine(engine: Engine, *, seal_first: bool = True, **kwargs: Any) -> Report:
    if seal_first:
        seal_engine(engine)
    with engine.connect() as conn:
        return verify(conn, **kwargs)
