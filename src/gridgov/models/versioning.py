"""Versioned records of the population base (实有人口/房屋/单位).

A versioned row *is* its current version: it carries ``version`` and who/when/source/reason of
the change that produced it. Before a row changes, its current state is copied into
:class:`RecordVersion`, so history = the ``record_versions`` rows + the current row, and nothing is
ever overwritten silently. Creation writes only the row (version 1), which keeps bulk loads cheap.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class ChangeSource(StrEnum):
    GRID_WORKER = "grid_worker"
    DEPARTMENT = "department"
    IMPORT = "import"
    CLERK = "clerk"
    STAFF = "staff"
    SYSTEM = "system"


class VersionedMixin:
    version: Mapped[int] = mapped_column(Integer, default=1)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by_id: Mapped[int | None] = mapped_column(Integer)
    changed_by_name: Mapped[str | None] = mapped_column(String(64))
    change_source: Mapped[str] = mapped_column(String(32))
    change_reason: Mapped[str | None] = mapped_column(String(200))


class RecordVersion(Base):
    """A superseded version of a person, household, house or organisation."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    # The row's columns as they were in this version (sensitive columns stay encrypted).
    data: Mapped[dict] = mapped_column(JSON)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    changed_by_id: Mapped[int | None] = mapped_column(Integer)
    changed_by_name: Mapped[str | None] = mapped_column(String(64))
    change_source: Mapped[str] = mapped_column(String(32))
    change_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("uq_record_versions_record", "record_type", "record_id", "version", unique=True),
    )
