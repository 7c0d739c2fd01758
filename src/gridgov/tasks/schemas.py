"""Bodies of the task API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str = Field(min_length=1, max_length=32)
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=4000)
    grid_code: str = Field(pattern=r"^\d{15}$")
    due_at: datetime | None = None
    module_code: str | None = Field(default=None, max_length=64)
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: str | None = Field(default=None, max_length=64)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    # No source_ref: a task's identity (idempotency key) comes from the system that makes it,
    # never from a client (who could take over another area's task or squat a future one).


class TaskComplete(BaseModel):
    result: dict[str, Any] = Field(default_factory=dict)


class TaskRefuse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A code of tasks.vocabulary.REFUSAL_REASONS; free text may go with it or alone.
    reason: str | None = Field(default=None, max_length=32)
    note: str | None = Field(default=None, max_length=500)


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    description: str | None
    grid_code: str
    assignee_user_id: int | None
    due_at: datetime | None
    state: str
    module_code: str | None
    subject_type: str | None
    subject_id: str | None
    lng: float | None
    lat: float | None
    result: dict[str, Any] | None
    accepted_at: datetime | None
    completed_at: datetime | None
    refused_at: datetime | None = None
    refusal_reason: str | None = None
    refusal_note: str | None = None
    created_at: datetime


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)
