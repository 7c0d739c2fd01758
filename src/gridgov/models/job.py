"""Scheduled jobs: one lease row per job (who runs it, until when, which due time it has done)
and one row per run (the admin page's history)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class JobLease(Base):
    """The database lock of one scheduled job. A server runs a job only after an UPDATE of this
    row succeeded (lease free or expired, and the due time not done yet), so several servers
    never run the same occurrence twice."""

    __tablename__ = "job_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str | None] = mapped_column(String(128))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The newest scheduled time that has been run (a later one is due: catch-up after downtime).
    last_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    # schedule | catch-up | manual
    kind: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(128))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_job_runs_job_started", "job", "started_at"),)


class DeadlineFlag(Base):
    """A deadline crossed by a running step (70 % warning or overdue), raised once per step by
    the flag job; the trail gets the same event."""

    __tablename__ = "deadline_flags"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    object_type: Mapped[str] = mapped_column(String(16))  # case | task | proxy
    object_id: Mapped[int] = mapped_column(_BIGINT)
    # The step and when it started: a new step (rework, next move) can be flagged again.
    step: Mapped[str] = mapped_column(String(16))
    step_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(8))  # warning | overdue
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    grid_code: Mapped[str | None] = mapped_column(String(15))
    department_code: Mapped[str | None] = mapped_column(String(32))
    flagged_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_deadline_flags_step",
            "object_type",
            "object_id",
            "step",
            "step_started_at",
            "kind",
            unique=True,
        ),
    )
