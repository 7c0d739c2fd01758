"""Bodies of the patrol API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gridgov.fieldwork.sync.schemas import UUID_PATTERN

DUTY_SECONDS = 3 * 3600
MAX_POINTS = 2000


class PatrolStart(BaseModel):
    uuid: str = Field(pattern=UUID_PATTERN)
    started_at: datetime


class TrackPointIn(BaseModel):
    t: datetime
    lng: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    accuracy: float | None = Field(default=None, ge=0)


class PointsIn(BaseModel):
    points: list[TrackPointIn] = Field(max_length=MAX_POINTS)
    # The phone's clock when it sent the batch: compared with the server's to flag drift.
    sent_at: datetime | None = None


class PatrolEnd(BaseModel):
    ended_at: datetime


class PatrolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uuid: str
    grid_code: str
    day: date
    started_at: datetime
    ended_at: datetime | None
    seconds_inside: int
    distance_m: float
    point_count: int
    # The phone's clock was off by more than the tolerance (seconds, + = ahead).
    clock_flagged: bool = False
    clock_drift_s: int | None = None


class PointResult(BaseModel):
    """What became of one point sent: ``accepted`` (stored, or stored before) or ``rejected``
    with the reason (``future_time``: dated after the server's clock + 5 minutes;
    ``before_start``: dated before the patrol started)."""

    t: datetime
    status: Literal["accepted", "rejected"]
    code: str | None = None
    message: str | None = None
    message_en: str | None = None


class PointsRead(PatrolRead):
    """The patrol after a batch of points, and one result per point in the order sent."""

    results: list[PointResult]


class DutyRead(BaseModel):
    user_id: int
    day: date
    seconds_inside: int
    duty_seconds: int = DUTY_SECONDS
    met: bool
    patrols: list[PatrolRead] = Field(default_factory=list)


class WorkerDuty(BaseModel):
    user_id: int
    name: str | None = None
    grid_code: str
    seconds_inside: int
    patrols: int
    met: bool


class DutySummary(BaseModel):
    day: date
    duty_seconds: int = DUTY_SECONDS
    workers: list[WorkerDuty]


class TrackPointRead(BaseModel):
    t: datetime
    lng: float
    lat: float
    inside: bool


class PatrolTrack(BaseModel):
    uuid: str
    grid_code: str
    started_at: datetime
    ended_at: datetime | None
    seconds_inside: int
    # Tracked time (intervals of at most 5 minutes) spent outside the grid.
    seconds_outside: int
    distance_m: float
    points: list[TrackPointRead]


class GridShape(BaseModel):
    code: str
    name: str
    geometry: dict


class WorkerDayTrack(BaseModel):
    """A worker's patrols of one day with their GPS tracks, for a supervisor's map."""

    user_id: int
    name: str
    grid_code: str
    day: date
    seconds_inside: int
    seconds_outside: int
    duty_seconds: int = DUTY_SECONDS
    met: bool
    grids: list[GridShape]
    patrols: list[PatrolTrack]


class WorkerOption(BaseModel):
    user_id: int
    name: str
    grid_code: str
