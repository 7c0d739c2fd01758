"""Bodies of the life-cycle API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

KEY = r"^[a-z][a-z0-9_]*$"


class EventIn(BaseModel):
    """A department's notification; ``source_ref`` (its own transaction id) makes it
    idempotent."""

    event_type: str = Field(pattern=KEY, max_length=32)
    source_ref: str = Field(min_length=1, max_length=120)
    occurred_on: date
    data: dict[str, Any] = Field(default_factory=dict)


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    event_type: str
    source: str
    source_ref: str
    occurred_on: date
    person_id: int | None
    grid_code: str
    status: str
    rule_code: str | None
    task_id: int | None
    reason: str | None
    resolved_at: datetime | None
    created_at: datetime


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=200)


class RulesIn(BaseModel):
    text: str = Field(min_length=1, max_length=200_000)


class ServiceOpen(BaseModel):
    code: str = Field(pattern=KEY, max_length=32)
    person_id: int


class DocumentsIn(BaseModel):
    documents: list[str] = Field(min_length=1, max_length=20)


class ConfirmIn(BaseModel):
    done: bool = True
    result: str = Field(min_length=1, max_length=200)


class ServiceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    service_code: str
    person_id: int
    grid_code: str
    department_code: str
    state: str
    due_at: datetime
    documents: list[str]
    event_id: int | None
    task_id: int | None
    handed_over_at: datetime | None
    closed_at: datetime | None
    result: str | None
    created_at: datetime
    overdue: bool = False


class AdmissionBody(BaseModel):
    kind: str = Field(pattern=KEY, max_length=32)
    title: str = Field(min_length=1, max_length=100)
    reference: str = Field(min_length=1, max_length=64)
    legal_basis: str = Field(min_length=2, max_length=300)
    department_code: str = Field(min_length=1, max_length=32)
    frequency: str = Field(min_length=1, max_length=32)
    fields: list[str] = Field(default_factory=list, max_length=100)
    minutes_per_task: int = Field(ge=1, le=480)
    expires_on: date | None = None


class AdmissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    title: str
    reference: str
    legal_basis: str
    department_code: str
    frequency: str
    fields: list[str]
    minutes_per_task: int
    admitted_on: date
    expires_on: date | None
    withdrawn_at: datetime | None
    withdrawn_reason: str | None


class DiversionIn(BaseModel):
    day: date
    minutes: int = Field(ge=1, le=1440)
    # Who diverted the worker: one of the city's departments (code), or named in words.
    department_code: str | None = Field(default=None, max_length=32)
    requested_by: str = Field(default="", max_length=100)
    description: str = Field(min_length=1, max_length=500)


class DiversionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    grid_code: str
    day: date
    minutes: int
    requested_by: str
    department_code: str | None
    description: str


class DataNeedIn(BaseModel):
    fields: list[str] = Field(min_length=1, max_length=30)
    purpose: str = Field(min_length=2, max_length=300)
    legal_basis: str = Field(min_length=2, max_length=300)


class DataNeedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    department_code: str
    fields: list[str]
    purpose: str
    legal_basis: str
    state: str
    decided_at: datetime | None
    note: str | None
    created_at: datetime
