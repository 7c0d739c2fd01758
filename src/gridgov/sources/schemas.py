"""API shapes of the sources capability."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class RecordBatch(BaseModel):
    """A pushed batch: rows in the source's own columns (as in its files)."""

    records: list[dict[str, Any]] = Field(min_length=1)


class LoadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    received: int
    created: int
    changed: int
    unchanged: int
    rejected: int
    errors: list[dict[str, Any]]


class LinkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source_id: int
    record_key: str
    person_id: int | None
    decision: str
    probability: float | None
    match_weight: float | None
    rule: str
    explanation: list[dict[str, Any]]
    grid_code: str | None
    decided_at: datetime
    decided_by: str


class Verdict(BaseModel):
    verdict: str = Field(pattern="^(accept|reject|family_member)$")
    note: str | None = Field(default=None, max_length=200)


class FindingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    source_id: int
    source_record_id: int | None
    person_id: int | None
    grid_code: str | None
    department_code: str | None
    evidence: dict[str, Any]
    status: str
    task_id: int | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    close_reason: str | None


class FindingClose(BaseModel):
    """Why the finding is closed (checked and fixed, the department corrected its register …)."""

    reason: str = Field(min_length=2, max_length=200)


class MergeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    person_id: int
    duplicate_id: int
    probability: float
    explanation: list[dict[str, Any]]
    grid_code: str | None
    status: str


class MergeVerdict(BaseModel):
    verdict: str = Field(pattern="^(merge|reject|split)$")
