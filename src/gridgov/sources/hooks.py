"""Listeners on department records: other capabilities react to what a department sends.

``on_record(fn)`` registers ``fn(session, principal, source, record)``; it is called for each new
or changed source record (a :class:`gridgov.sources.service.LoadedRecord`: ``id`` of the
``source_records`` row, ``record_key``, ``version``, ``normalised`` with gridgov's field names,
``raw``, ``grid_code`` and ``house_id`` when the address named a house of the register) inside the loading transaction, after the record is written and
before matching. A listener raises to refuse the record (the whole batch rolls back), never
commits, and keeps side effects outside the database for ``kit.db.after_commit``. The life-cycle
capability registers its birth, death and move listeners here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal

RecordListener = Callable[[Session, Principal, Any, Any], None]

_listeners: list[RecordListener] = []


def on_record(fn: RecordListener) -> RecordListener:
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
    """Call every listener for every new or changed record, in registration order."""
    for record in records:
        for fn in list(_listeners):
            fn(session, principal, source, record)
