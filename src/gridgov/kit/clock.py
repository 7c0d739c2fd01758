"""The one place that asks for the time, so tests can move it, and the city's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from gridgov.config import get_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def city_zone() -> ZoneInfo:
    """The city's time zone (settings ``time_zone``): days, deadlines and screens use it."""
    return _zone(get_settings().time_zone)
