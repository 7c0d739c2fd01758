"""Trail entries as the auditor sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    seq: int | None
    at: datetime
    user_id: int | None
    username: str | None
    role: str | None
    action: str
    object_type: str
    object_id: str | None
    outcome: str
    channel: str | None
    request_id: str | None
    purpose: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
    entry_hash: str
    chain_hash: str | None


class AuditFilter(BaseModel):
    user: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    request_id: str | None = None


class VerifyProblem(BaseModel):
    entry_id: int | None
    seq: int | None
    reason: str


class VerifyRead(BaseModel):
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    unsealed_recent: int
    first_broken: VerifyProblem | None
    problems: list[VerifyProblem]
