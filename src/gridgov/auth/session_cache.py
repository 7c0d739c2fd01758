"""A short memory, per process, of the sessions resolved lately: token digest → the caller.

Every authenticated request resolves its token; remembering the answer for a few seconds spares
most requests a query, a transaction and a worker-thread hop (``auth.deps`` answers a remembered
caller on the event loop). What stays exact, on every request, against the remembered instants:
the token's kind, its expiry and the web session's idle timeout (an entry whose last-seen time
is older than ``TOUCH_INTERVAL`` is not used: the database is asked and touched, as before).

The bound: a session revoked or an account changed **in this process** (sign-out, refresh,
password change or reset, disabling an account, a change of role or scope, any account update)
is forgotten at once and again after its commit (:func:`forget_user`); one changed **elsewhere**
(the other uvicorn workers, the CLI, a direct edit of the database) is seen within
``GRIDGOV_SESSION_CACHE_SECONDS`` (default 5; 0 turns the memory off). A session that must
change its password is never remembered.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.db import after_commit

MAX_ENTRIES = 10_000


@dataclass(frozen=True, slots=True)
class Remembered:
    principal: Principal
    account: Mapping[str, Any]  # the account's readable facts, read with the principal
    kind: str
    expires_at: datetime
    last_seen: datetime
    stored: float  # time.monotonic() when read from the database


_entries: dict[str, Remembered] = {}
_lock = threading.Lock()
# Bumped by every forget: an answer read from the database before a forget is not remembered
# after it (a sign-out racing a request that was resolving the same token).
_generation = 0


def generation() -> int:
    return _generation


def recall(
    digest: str, *, kind: str, now: datetime, max_age: float, touch_interval: timedelta
) -> Remembered | None:
    """The remembered caller of a token, or None (ask the database)."""
    entry = _entries.get(digest)
    if (
        entry is None
        or entry.kind != kind
        or time.monotonic() - entry.stored >= max_age
        or entry.expires_at <= now
        or now - entry.last_seen > touch_interval
    ):
        return None
    return entry


def remember(digest: str, entry: Remembered, *, seen: int) -> None:
    """Keep ``entry`` unless something was forgotten since generation ``seen``."""
    with _lock:
        if _generation != seen:
            return
        if len(_entries) >= MAX_ENTRIES:
            _entries.clear()
        _entries[digest] = entry


def _forget(user_id: int) -> None:
    global _generation
    with _lock:
        _generation += 1
        for digest in [d for d, e in _entries.items() if e.principal.user_id == user_id]:
            del _entries[digest]


def forget_user(session: Session, user_id: int) -> None:
    """The account's sessions or facts change in ``session``'s transaction: forget them now
    and once more after the commit (a request may have re-read them in between)."""
    _forget(user_id)
    after_commit(session, lambda: _forget(user_id))


def clear() -> None:
    global _generation
    with _lock:
        _generation += 1
        _entries.clear()
