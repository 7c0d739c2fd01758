"""Commit before answering.

FastAPI (≥ 0.121) runs the exit code of a request-scoped ``yield`` dependency — where
``kit.db.request_session`` commits — *after* the response has been sent. For the field app that
would acknowledge records that are not committed yet (and a phone's next request may not see
them). Every write endpoint of the field app therefore commits the request's one transaction
itself, just before it returns; the dependency's own commit then has nothing left to do.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy.orm import Session

T = TypeVar("T")


def committed(session: Session, value: T) -> T:
    """Commit the request's transaction and return ``value`` (the answer to send)."""
    session.commit()
    return value
