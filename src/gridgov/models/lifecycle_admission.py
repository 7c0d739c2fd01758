"""The admission registry (准入): task types admitted for grid workers, departments' declared
data needs, and workers' reports of being diverted to other duties."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class AdmittedTaskType(TimestampMixin, Base):
    __tablename__ = "admitted_task_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    # The admission document's number shown on the worker's phone, e.g. 准入〔2026〕3号.
    reference: Mapped[str] = mapped_column(String(64))
    legal_basis: Mapped[str] = mapped_column(String(300))
    department_code: Mapped[str] = mapped_column(String(32))
    frequency: Mapped[str] = mapped_column(String(32))
    fields: Mapped[list] = mapped_column(JSON, default=list)
    minutes_per_task: Mapped[int] = mapped_column(Integer)
    admitted_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(200))


class DataNeed(TimestampMixin, Base):
    """A department's declared need for fields of the shared base (declared → approved |
    rejected); approved needs are served masked through the API, every read in the trail."""

    __tablename__ = "data_needs"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(String(32), index=True)
    fields: Mapped[list] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="declared")
    declared_by: Mapped[int | None] = mapped_column(Integer)
    decided_by: Mapped[int | None] = mapped_column(Integer)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class DiversionReport(TimestampMixin, Base):
    """A worker pulled into duties outside the system (reported from the phone)."""

    __tablename__ = "diversion_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer)
    grid_code: Mapped[str] = mapped_column(String(15))
    day: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    requested_by: Mapped[str] = mapped_column(String(100))
    # The department that diverted the worker, when it is one of the city's departments: the
    # evaluation's ``work_diverted`` deducts from it.
    department_code: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_diversion_reports_user_day", "user_id", "day"),
        Index("ix_diversion_reports_created_at", "created_at"),
    )
