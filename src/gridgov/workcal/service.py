"""Loading the calendar (cached per database for a minute) and importing announced schedules."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from datetime import date

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.cases.recalculate import recalculate_clocks
from gridgov.kit.clock import utcnow
from gridgov.kit.db import after_commit
from gridgov.kit.errors import BadRequest
from gridgov.models.calendar import CalendarDay, CalendarYear
from gridgov.workcal.calendar import WorkCalendar, unknown_years_warning
from gridgov.workcal.repository import CalendarRepository
from gridgov.workcal.schemas import CalendarDayIn, CalendarDayRead, CalendarYearRead

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, WorkCalendar]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def current_calendar(session: Session) -> WorkCalendar:
    """The calendar of the session's database; re-read at most once a minute per process."""
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    repo = CalendarRepository(session)
    calendar = WorkCalendar(
        exceptions={day: kind == "work" for day, kind in repo.all_days()},
        known_years=frozenset(repo.known_years()),
    )
    with _lock:
        _cache[key] = (now, calendar)
    return calendar


def year_status(session: Session, *, year: int, with_days: bool = True) -> CalendarYearRead:
    repo = CalendarRepository(session)
    entered = repo.year(year)
    days = [CalendarDayRead.model_validate(d) for d in repo.days_of(year)] if with_days else []
    if entered is None:
        return CalendarYearRead(
            year=year, known=False, warning=unknown_years_warning([year]), days=days
        )
    return CalendarYearRead(
        year=year,
        known=True,
        source=entered.source,
        updated_at=entered.updated_at,
        updated_by=entered.updated_by,
        days=days,
    )


def list_years(session: Session) -> list[CalendarYearRead]:
    return [
        CalendarYearRead(
            year=y.year,
            known=True,
            source=y.source,
            updated_at=y.updated_at,
            updated_by=y.updated_by,
        )
        for y in CalendarRepository(session).years()
    ]


def import_schedule(
    session: Session,
    *,
    principal: Principal,
    year: int,
    days: list[CalendarDayIn],
    source: str = "import",
) -> CalendarYearRead:
    """Replace the schedule of ``year`` with the announced one and mark the year as entered."""
    if not 1990 <= year <= 2100:
        raise BadRequest(f"年份 {year} 不在 1990–2100 之间", f"Year {year} is out of range")
    seen: set[date] = set()
    for entry in days:
        if entry.day.year != year:
            raise BadRequest(
                f"{entry.day} 不属于 {year} 年", f"{entry.day} is not in {year}", day=str(entry.day)
            )
        if entry.day in seen:
            raise BadRequest(f"{entry.day} 重复", f"{entry.day} appears twice", day=str(entry.day))
        seen.add(entry.day)
    repo = CalendarRepository(session)
    before = year_status(session, year=year, with_days=False)
    clear_cache()
    old_calendar = current_calendar(session)
    repo.replace_year(
        year, [CalendarDay(day=d.day, kind=d.kind, name=d.name, year=year) for d in days]
    )
    who = principal.username
    entered = repo.year(year)
    if entered is None:
        session.add(
            CalendarYear(year=year, source=source[:64], updated_at=utcnow(), updated_by=who)
        )
    else:
        entered.source, entered.updated_at, entered.updated_by = source[:64], utcnow(), who
    session.flush()
    trail.record(
        session,
        action="calendar.import",
        object_type="calendar_year",
        object_id=year,
        principal=principal,
        before={"known": before.known, "source": before.source},
        after={
            "source": source,
            "off": sum(1 for d in days if d.kind == "off"),
            "work": sum(1 for d in days if d.kind == "work"),
        },
    )
    clear_cache()
    after_commit(session, clear_cache)
    # Running case clocks laid over the old (weekend-only) assumption move to the new schedule.

    recalculate_clocks(
        session, old=old_calendar, new=current_calendar(session), principal=principal, year=year
    )
    return year_status(session, year=year)


def parse_schedule(text: str, *, filename: str = "") -> tuple[int | None, list[CalendarDayIn]]:
    """Read an announced schedule: JSON ``{"year": 2027, "days": [{"day", "kind", "name"}]}``
    or CSV lines ``2027-01-01,off,元旦`` (a header line is allowed)."""
    try:
        if filename.endswith(".json") or text.lstrip().startswith(("{", "[")):
            data = json.loads(text)
            raw_days = data["days"] if isinstance(data, dict) else data
            year = data.get("year") if isinstance(data, dict) else None
            return year, [CalendarDayIn.model_validate(d) for d in raw_days]
        days = []
        for row in csv.reader(io.StringIO(text)):
            if not row or not row[0].strip() or row[0].strip().startswith("#"):
                continue
            if row[0].strip().lower() in ("day", "date", "日期"):
                continue
            name = row[2].strip() if len(row) > 2 else ""
            days.append(CalendarDayIn(day=row[0].strip(), kind=row[1].strip(), name=name))
        return None, days
    except (ValueError, KeyError, IndexError, TypeError, ValidationError) as exc:
        raise BadRequest("日历文件格式错误", f"Malformed calendar file: {exc}") from exc
