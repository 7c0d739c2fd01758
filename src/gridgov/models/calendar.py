"""The working-time calendar as data: the exceptions to Monday–Friday of each entered year."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class CalendarDay(Base):
    """A public holiday on a weekday (``off``) or a make-up working day on a weekend (``work``).

    Days inside a holiday period that fall on a weekend are stored too (``off``), harmlessly.
    """

    __tablename__ = "calendar_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # off | work
    name: Mapped[str] = mapped_column(String(64), default="")
    year: Mapped[int] = mapped_column(Integer, index=True)


class CalendarYear(Base):
    """A year whose schedule somebody entered. Years without a row fall back to plain weekends."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(64))  # chinese-calendar 1.11.0 | import:<file> …
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_by: Mapped[str | None] = mapped_column(String(64))
