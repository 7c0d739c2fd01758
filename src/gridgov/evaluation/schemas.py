"""API shapes of the evaluation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


@dataclass(frozen=True)
class PointsOf:
    """The points of one subject (a worker's user id, a department's code) over [start, end]."""

    subject_type: str
    subject_id: str
    start: date
    end: date


class ScoreRead(BaseModel):
    subject_type: str
    subject_id: str
    base: float
    deductions: float
    credits: float
    total: float
    points: int
    rank: int


class PointRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    day: date
    event: str
    subject_type: str
    subject_id: str
    points: float
    waived: bool
    rule_version: int
    object_type: str
    object_id: str
    case_id: int | None
    at: datetime
    grid_code: str | None
    department_code: str | None
    detail: dict[str, Any] | None


class AppealCreate(BaseModel):
    point_id: int
    reason: str = Field(min_length=4, max_length=2000)
    evidence: str | None = Field(default=None, max_length=4000)


class AppealDecision(BaseModel):
    uphold: bool
    note: str = Field(default="", max_length=2000)


class AppealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    point_key: str
    day: date
    subject_type: str
    subject_id: str
    reason: str
    evidence: str | None
    state: str
    filed_by: str
    filed_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None


class RulesSave(BaseModel):
    text: str = Field(min_length=1, max_length=100_000)
    effective_from: date


class RulesRead(BaseModel):
    version: int
    text: str
