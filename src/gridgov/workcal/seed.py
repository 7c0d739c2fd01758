"""Seeding the calendar from the ``chinese-calendar`` package for the years it knows."""

from __future__ import annotations

from typing import Any

FIRST_KNOWN_YEAR = 2004


def chinese_calendar_rows() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(day rows, year rows) for every year chinese-calendar knows; empty if it is missing."""
    try:
        import chinese_calendar
        from chinese_calendar import constants
    except ImportError:  # pragma: no cover - dependency of the project
        return [], []
    version = getattr(chinese_calendar, "__version__", "?")
    days: list[dict[str, Any]] = []
    years: set[int] = set()
    for day, name in sorted(constants.holidays.items()):
        days.append({"day": day, "kind": "off", "name": str(name), "year": day.year})
        years.add(day.year)
    for day, name in sorted(constants.workdays.items()):
        days.append({"day": day, "kind": "work", "name": f"{name} (make-up)", "year": day.year})
        years.add(day.year)
    source = f"chinese-calendar {version}"
    year_rows = [
        {"year": year, "source": source, "updated_by": "migration"} for year in sorted(years)
    ]
    return days, year_rows
