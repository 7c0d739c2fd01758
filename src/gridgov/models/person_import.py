"""A checked person import kept on the server (issue 10): the rows of the uploaded file
(encrypted: they hold ID numbers and phones), the check's report, and what became of it —
committed or discarded by the one who uploaded it, or expired."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class PersonImport(Base):
    __tablename__ = "person_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    filename: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(200))
    # staged → committed | discarded | expired
    status: Mapped[str] = mapped_column(String(16), default="staged")
    # The parsed rows [[row number, {field: text}], …] as JSON, encrypted (kit.crypto); emptied
    # once the import is committed, discarded or expired.
    rows_enc: Mapped[str | None] = mapped_column(Text)
    total: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row", "field", "message", "message_en"}, …] of the check (or of the commit's re-check)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    persons_created: Mapped[int] = mapped_column(Integer, default=0)
    households_created: Mapped[int] = mapped_column(Integer, default=0)
    houses_created: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_person_imports_status_expires", "status", "expires_at"),)
