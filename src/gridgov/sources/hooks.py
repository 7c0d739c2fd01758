"""Listeners on department records: other capabilities react to what a department sends.

``on_records(fn)`` registers ``fn(session, principal, source, records)``; it is called once per
written batch with the batch's new or changed source records, in order (each a
:class:`gridgov.sources.service.LoadedRecord`: ``id`` of the ``source_records`` row,
``record_key``, ``version``, ``normalised`` with gridgov's field names, ``raw``, ``grid_code``
and ``house_id`` when the address named a house of the register), inside the loading
transaction, after the records are written and before matching. A batch, not a record: a
listener reads what it needs for the batch at once (a hospital's file of births is one batch of
life events, not a round of queries per birth). A listener raises to refuse the record (the whole batch rolls back), never
commits, and keeps side effects outside the database for ``kit.db.after_commit``. The life-cycle
capability registers its birth, death and move listeners here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal

RecordListener = Callable[[Session, Principal, Any, list[Any]], None]

_listeners: list[RecordListener] = []


def on_records(fn: RecordListener) -> RecordListener:
    """Register ``fn`` (usable as a decorator); registering the same function twice is a no-op."""
    if fn not in _listeners:
        _listeners.append(fn)
    return fn


def remove_listener(fn: RecordListener) -> None:
    if fn in _listeners:
        _listeners.remove(fn)


def has_listeners() -> bool:
    return bool(_listeners)


def notify(session: Session, principal: Principal, source: Any, records: list[Any]) -> None:
    """Call every listener, in registration order, with the batch's new or changed records."""
    if not records:
        return
    for fn in list(_listeners):
        fn(session, principal, source, records)
