"""API shapes of the grid model."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: str
    layer: str
    center_lng: float
    center_lat: float
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float
    area_m2: float


class StaffRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    staff_no: str
    name: str
    kind: str
    phone_masked: str | None


class WorkerRead(StaffRead):
    since: datetime


class RegionCounts(BaseModel):
    grids: int
    households: int
    persons: int = Field(description="Living residents")
    population: dict[str, float | int] = Field(
        description="Registered, floating, foreign, elderly, special groups, houses, organisations"
    )
    facilities: int
    facilities_by_kind: dict[str, int]


class RegionDetail(RegionRead):
    parent_code: str | None
    ancestors: list[RegionRead]
    counts: RegionCounts
    worker: WorkerRead | None
    covered_by: list[RegionRead] = Field(
        default_factory=list, description="Overlay regions (e.g. commerce grids) covering a grid"
    )
    covers: list[RegionRead] = Field(
        default_factory=list, description="Community grids an overlay region covers"
    )


class Located(BaseModel):
    grid: RegionRead
    community: RegionRead | None
    street: RegionRead | None
    district: RegionRead | None


class AssignmentRead(BaseModel):
    staff: StaffRead
    started_at: datetime
    ended_at: datetime | None
    reason: str | None


class AssignmentCreate(BaseModel):
    staff_no: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=1, max_length=200)


class ImportProblem(BaseModel):
    feature: int | None
    code: str | None
    message: str
    message_en: str


class ImportReport(BaseModel):
    created: int
    updated: int
    problems: list[ImportProblem]
