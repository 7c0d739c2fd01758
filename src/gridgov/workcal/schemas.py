from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class CalendarDayIn(BaseModel):
    day: date
    kind: Literal["off", "work"]
    name: str = Field(default="", max_length=64)


class CalendarDayRead(CalendarDayIn):
    model_config = ConfigDict(from_attributes=True)


class ScheduleImport(BaseModel):
    """An announced schedule for one year: every holiday and make-up working day."""

    source: str = Field(default="import", max_length=64)
    days: list[CalendarDayIn] = Field(max_length=366)


class CalendarYearRead(BaseModel):
    year: int
    known: bool
    source: str | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None
    warning: str | None = None
    days: list[CalendarDayRead] = []


class DeadlineRead(BaseModel):
    start: datetime
    minutes: int
    due_at: datetime
    warning: str | None = None
