"""Repository base: every query lives in a repository bound to the caller's session."""

from __future__ import annotations

from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from gridgov.kit.models import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, pk: int) -> M | None:
        return self.session.get(self.model, pk)

    def add(self, obj: M) -> M:
        self.session.add(obj)
        self.session.flush()
        return obj
