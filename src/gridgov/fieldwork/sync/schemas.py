"""Bodies of the sync API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, Field

from gridgov.authz.policy import Purpose
from gridgov.fieldwork.sync import personal

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MAX_BATCH = 1000

RecordKind = Literal["form", "report", "task_result"]
SubjectType = Literal["person", "household", "house", "organisation"]
Status = Literal["stored", "duplicate", "rejected", "stale", "invalid"]
# Why a stored record waits for a supervisor: an edit made on an old version (``stale``), or a
# newcomer whose ID number is already in the population base (``id_exists``).
ReviewKind = Literal["stale", "id_exists"]
Effect = Literal["applied", "error", "none"]


class NewHousehold(BaseModel):
    """Register a newcomer as the head of a new household living in a house of the own grid."""

    house_id: int = Field(ge=1)


class SyncRecord(BaseModel):
    """One record made on the phone. ``uuid`` is generated there; everything else is content."""

    uuid: str = Field(pattern=UUID_PATTERN)
    kind: RecordKind = "form"
    module: str | None = Field(default=None, max_length=64)
    module_version: int | None = Field(default=None, ge=1)
    subject_type: SubjectType | None = None
    subject_id: str | None = Field(default=None, max_length=64)
    # The version of the subject the worker saw when editing (stale → conflict for review).
    base_version: int | None = Field(default=None, ge=0)
    task_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    collected_at: datetime | None = None
    # Only for a newcomer (a person module's record without a subject): also open a household.
    new_household: NewHousehold | None = None


class SyncBatch(BaseModel):
    records: list[SyncRecord] = Field(max_length=MAX_BATCH)


class SyncResult(BaseModel):
    uuid: str
    status: Status
    # The HTTP status this record would get on its own: 201, 200, 409, 202 or 400.
    code: int
    id: int | None = None
    ref: str | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)
    # With ``stored``/``duplicate``: whether the record's effect (the base, a case, a task)
    # happened; ``error`` comes with ``errors[0].reason`` for the phone to show.
    effect: Effect | None = None
    # With ``stale``: what the supervisor will review.
    review: ReviewKind | None = None


class SyncResponse(BaseModel):
    results: list[SyncResult]
    counts: dict[str, int]


# A stored record's answers as shown: resident ID numbers and phones masked (personal.py).
MaskedData = Annotated[dict[str, Any], AfterValidator(personal.masked)]
MaskedRecord = Annotated[dict[str, Any], AfterValidator(personal.masked_record)]


class ConflictRead(BaseModel):
    id: int
    uuid: str
    kind: str
    user_id: int
    grid_code: str | None
    record: MaskedRecord
    reason: str | None
    state: str
    resolution: str | None
    created_at: datetime


class ConflictFullRead(ConflictRead):
    """The record kept for review with its ID number and phone in full (a trailed full view)."""

    record: dict[str, Any]


class FullViewRequest(BaseModel):
    purpose: Purpose


class ConflictResolve(BaseModel):
    # accept: apply the record as a new version on top of the current one; discard: keep as is.
    resolution: Literal["accept", "discard"]


class SubmissionRead(BaseModel):
    id: int
    uuid: str
    kind: str
    module_code: str | None
    module_version: int | None
    grid_code: str | None
    subject_type: str | None
    subject_id: str | None
    data: MaskedData
    lng: float | None
    lat: float | None
    collected_at: datetime | None
    received_at: datetime
    state: str
    result_ref: str | None
    case_state: str | None = None
    case_number: str | None = None


# What applying one submission did (not an API body: the sync service turns it into one).
@dataclass(frozen=True)
class Outcome:
    state: str  # applied | conflict | error | stored
    ref: str | None = None
    reason: str | None = None  # English (kept with the record for review)
    message: str | None = None  # the same in Chinese, for the phone
    review: str = "stale"  # with state conflict: stale | id_exists
    code: str | None = None  # with state error: the error's code (e.g. ``outside_grid``)

    def why(self) -> dict[str, Any]:
        """Why the effect failed, in both languages for the phone to show: answered with the
        first sync and again with every re-send (kept as ``FieldSubmission.effect_error``)."""
        return {
            "code": self.code,
            "reason": self.reason,
            "message": self.message,
            "message_en": self.reason,
        }
