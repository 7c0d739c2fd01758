"""A saved view of the command centre's case list: a named filter and sort, shared by everyone
of the role that saved it (the clerks' "待立案热线", the dispatchers' "今日超期" …)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class CaseSavedView(Base):
    __tablename__ = "case_saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(64))
    query: Mapped[str] = mapped_column(String(1000))  # the list's query string
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("role", "name", name="uq_case_saved_views_role_name"),)
