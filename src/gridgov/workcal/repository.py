"""Every query on the calendar tables."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gridgov.models.calendar import CalendarDay, CalendarYear


class CalendarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all_days(self) -> list[tuple]:
        return list(self.session.execute(select(CalendarDay.day, CalendarDay.kind)).all())

    def known_years(self) -> list[int]:
        return list(self.session.scalars(select(CalendarYear.year)))

    def year(self, year: int) -> CalendarYear | None:
        return self.session.get(CalendarYear, year)

    def years(self) -> list[CalendarYear]:
        return list(self.session.scalars(select(CalendarYear).order_by(CalendarYear.year)))

    def days_of(self, year: int) -> list[CalendarDay]:
        stmt = select(CalendarDay).where(CalendarDay.year == year).order_by(CalendarDay.day)
        return list(self.session.scalars(stmt))

    def replace_year(self, year: int, days: list[CalendarDay]) -> None:
        self.session.execute(delete(CalendarDay).where(CalendarDay.year == year))
        self.session.add_all(days)
        self.session.flush()
