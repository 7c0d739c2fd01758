"""Working-time arithmetic on an in-memory calendar (no database access here).

Times are stored in UTC and reasoned about in China Standard Time (UTC+8, no daylight saving).
A working day has the periods of :data:`WORKING_PERIODS` (08:30–12:00, 14:00–17:30 = 420 min).
A day is a working day when the calendar says so (holiday ``off`` / make-up ``work``), otherwise
when it is Monday–Friday. For a year nobody entered, the 13 statutory days off (computable, see
:mod:`gridgov.workcal.statutory`) and the weekday rule are all there is: the computation still
answers, and reports the year so the caller can warn that make-up working days are unknown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone

from gridgov.workcal.statutory import statutory_days_off

CST = timezone(timedelta(hours=8), "CST")
# (start, end) of each working period of a working day, local time.
WORKING_PERIODS: tuple[tuple[time, time], ...] = (
    (time(8, 30), time(12, 0)),
    (time(14, 0), time(17, 30)),
)
MINUTES_PER_WORKING_DAY = sum(
    (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    for start, end in WORKING_PERIODS
)
# Never search further than this for the end of a deadline (guards against a broken calendar).
_MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Deadline:
    at: datetime
    # Years the computation crossed that nobody entered in the calendar (weekends assumed).
    unknown_years: frozenset[int] = frozenset()

    @property
    def warning(self) -> str | None:
        return unknown_years_warning(self.unknown_years)


def unknown_years_warning(years: Iterable[int]) -> str | None:
    listed = ", ".join(str(y) for y in sorted(years))
    if not listed:
        return None
    return (
        f"{listed} 年工作日历尚未录入，期限已计入法定节假日，但调休上班日未知，"
        f"放假安排公布后请导入 / calendar for {listed} not entered yet: the statutory days off "
        "are counted, the make-up working days are not known"
    )


@dataclass(frozen=True)
class WorkCalendar:
    # day → True (working) / False (off) for the exceptions to Monday–Friday.
    exceptions: Mapping[date, bool] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()
    periods: tuple[tuple[time, time], ...] = WORKING_PERIODS

    def is_known(self, year: int) -> bool:
        return year in self.known_years

    def is_workday(self, day: date) -> bool:
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception
        if day.year not in self.known_years and day in statutory_days_off(day.year):
            return False  # a year nobody entered still has its 13 statutory days off
        return day.weekday() < 5

    def _periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_workday(day):
            return []
        return [
            (datetime.combine(day, start, CST), datetime.combine(day, end, CST))
            for start, end in self.periods
        ]

    def add_working_minutes(self, start: datetime, minutes: float) -> Deadline:
        """The instant when ``minutes`` of working time have passed after ``start``."""
        return self.add_working_seconds(start, round(minutes * 60))

    def add_working_seconds(self, start: datetime, seconds: int) -> Deadline:
        local = _local(start)
        unknown: set[int] = set()
        remaining = timedelta(seconds=max(0, seconds))
        day = local.date()
        for _ in range(_MAX_DAYS):
            if not self.is_known(day.year):
                unknown.add(day.year)
            for period_start, period_end in self._periods_of(day):
                begin = max(period_start, local)
                if begin >= period_end:
                    continue
                available = period_end - begin
                if remaining <= available:
                    return Deadline((begin + remaining).astimezone(UTC), frozenset(unknown))
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("no working time within three years: the calendar is broken")

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Working seconds in [start, end); 0 when end is not after start."""
        a, b = _local(start), _local(end)
        if b <= a:
            return 0
        total = timedelta()
        day = a.date()
        while day <= b.date():
            for period_start, period_end in self._periods_of(day):
                lo, hi = max(period_start, a), min(period_end, b)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return int(total.total_seconds())

    def working_days(self, start: date, end: date) -> list[date]:
        days, day = [], start
        while day <= end:
            if self.is_workday(day):
                days.append(day)
            day += timedelta(days=1)
        return days


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes: they are UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(CST)
