from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.authz.policy import Purpose
from gridgov.cases.states import Move

Priority = Literal["normal", "urgent", "critical"]


class CaseCreate(BaseModel):
    """A report from a signed-in clerk or grid worker (other channels map onto this)."""

    channel: str = Field(default="hotline", max_length=16)
    category_code: str | None = Field(default=None, max_length=16)
    description: str
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    priority: Priority = "normal"
    reporter_name: str | None = Field(default=None, max_length=64)
    reporter_phone: str | None = Field(default=None, max_length=32)
    photo_ids: list[int] = Field(default_factory=list, max_length=9)
    attributes: dict[str, Any] | None = None


class CaseUpdate(BaseModel):
    """Corrections while a case is reported or registered (move ``amend``)."""

    category_code: str | None = Field(default=None, max_length=16)
    description: str | None = None
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    address: str | None = Field(default=None, max_length=200)
    priority: Priority | None = None


class TransitionIn(BaseModel):
    """One move of the loop. Which fields a move needs: see docs/cases.md."""

    note: str | None = Field(default=None, max_length=4000)
    department_code: str | None = Field(default=None, max_length=32)  # dispatch
    # dispatch: working minutes to handle it, at most the category's limit (none: the limit)
    handle_minutes: int | None = Field(default=None, ge=1, le=420 * 60)
    result: Literal["pass", "fail"] | None = None  # verify
    minutes: int | None = Field(default=None, ge=1, le=420 * 60)  # request_extension
    level: int | None = Field(default=None, ge=1, le=2)  # supervise: 1 yellow, 2 red
    target_case_id: int | None = None  # merge
    photo_ids: list[int] = Field(default_factory=list, max_length=9)  # feedback, verify
    amend: CaseUpdate | None = None  # amend


class CaseSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    state: str
    category_code: str | None
    description: str
    address: str | None
    lng: float | None
    lat: float | None
    grid_code: str | None
    reported_at: datetime


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    channel: str
    category_code: str | None
    category_name: str | None = None
    department_code: str | None
    department_name: str | None = None
    state: str
    priority: str
    description: str
    address: str | None
    lng: float | None
    lat: float | None
    grid_code: str | None
    reporter_name_masked: str | None
    reporter_phone_masked: str | None
    step: str | None
    step_started_at: datetime | None
    step_due_at: datetime | None
    step_warn_at: datetime | None
    deadline_status: str | None = None
    calendar_warning: str | None
    supervision_level: int
    rework_count: int
    extension_count: int
    extension_minutes_requested: int | None
    handle_minutes: int | None = None
    extension_minutes_granted: int = 0
    pending_request: str | None = None
    verify_result: str | None
    merged_into_id: int | None
    status_note: str | None
    media_url: str | None
    reported_at: datetime
    registered_at: datetime | None
    dispatched_at: datetime | None
    handled_at: datetime | None
    verified_at: datetime | None
    closed_at: datetime | None
    version: int
    moves: list[Move] = []


class CaseEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    move: str
    state_from: str | None
    state_to: str
    actor_name: str | None
    actor_role: str | None
    department_code: str | None
    note: str | None
    public: bool
    data: dict[str, Any] | None


class CaseDetail(CaseRead):
    events: list[CaseEventRead] = []
    photo_ids: list[int] = []


class CaseCreated(CaseRead):
    duplicate_candidates: list[CaseSummary] = []


class FullViewIn(BaseModel):
    purpose: Purpose


class ReporterPhone(BaseModel):
    phone: str | None


class CategoryFields(BaseModel):
    """A case category as the reference data holds it (``categories.CategoryInfo``) and as the
    API shows it (``CategoryRead``)."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    kind: str
    name: str
    name_en: str
    parent_code: str | None
    department_code: str | None
    register_minutes: int
    dispatch_minutes: int
    handle_minutes: int
    verify_minutes: int
    handle_unit: str
    warn_share: float


class CategoryRead(CategoryFields):
    selectable: bool


class CategoryUpdate(BaseModel):
    department_code: str | None = Field(default=None, max_length=32)
    register_minutes: int | None = Field(default=None, ge=1, le=420 * 60)
    dispatch_minutes: int | None = Field(default=None, ge=1, le=420 * 60)
    handle_minutes: int | None = Field(default=None, ge=1, le=420 * 60)
    verify_minutes: int | None = Field(default=None, ge=1, le=420 * 60)
    handle_unit: Literal["hours", "days"] | None = None
    warn_share: float | None = Field(default=None, gt=0, lt=1)
    active: bool | None = None

    @field_validator(
        "register_minutes", "dispatch_minutes", "handle_minutes", "verify_minutes",
        "handle_unit", "warn_share", "active", mode="before",
    )  # fmt: skip
    @classmethod
    def _given_means_a_value(cls, value: Any) -> Any:
        # Leave a field out to keep it; ``null`` would empty a column that must hold a value
        # (answered 409 "retry", which never succeeds). Only department_code may be emptied.
        if value is None:
            raise ValueError("leave the field out to keep it; it cannot be emptied")
        return value


class DepartmentRead(BaseModel):
    code: str
    name: str
    name_en: str


class OverdueRead(BaseModel):
    count: int
    ids: list[int]


class TrackRead(BaseModel):
    number: str
    state: str
    status_note: str | None
    category_code: str | None
    reported_at: str
    events: list[dict[str, str | None]] = Field(default_factory=list)


class InboundMessage(BaseModel):
    """A message from an SMS or e-mail gateway."""

    message_id: str = Field(max_length=64)
    sender: str = Field(max_length=128)
    text: str
    subject: str | None = Field(default=None, max_length=200)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    category_code: str | None = Field(default=None, max_length=16)


class InboundAck(BaseModel):
    number: str
    id: int
    duplicate: bool = False
