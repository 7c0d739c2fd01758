"""Tasks for grid workers (核查、入户走访 …): generic, with a kind, a grid, an assignee and a due date."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class Task(TimestampMixin, Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    grid_code: Mapped[str] = mapped_column(String(15))
    # None: whoever is the grid's worker when the task is read.
    assignee_user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # open → accepted → done; or cancelled (by staff); or refused (by the worker)
    state: Mapped[str] = mapped_column(String(16), default="open")
    # The XLSForm module whose form records the result (None: a free-text note).
    module_code: Mapped[str | None] = mapped_column(String(64))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    lng: Mapped[float | None] = mapped_column()
    lat: Mapped[float | None] = mapped_column()
    # Who created it, idempotently: "case:123:verify", "event:abc".
    source_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    result: Mapped[dict | None] = mapped_column(JSON)
    result_submission_uuid: Mapped[str | None] = mapped_column(String(36))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_by: Mapped[int | None] = mapped_column(Integer)
    # The worker's refusal: a reason code (tasks.vocabulary REFUSAL_REASONS) and/or free text;
    # neither is allowed, and is what the evaluation rule "task_refused_unreasoned" deducts for.
    refused_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    refused_by: Mapped[int | None] = mapped_column(Integer)
    refusal_reason: Mapped[str | None] = mapped_column(String(32))
    refusal_note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_tasks_grid_state", "grid_code", "state"),)
