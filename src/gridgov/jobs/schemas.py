"""API shapes of the jobs admin view."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class JobRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    job: str
    kind: str
    owner: str
    due_at: datetime | None
    started_at: datetime
    finished_at: datetime | None
    rows: int | None
    error: str | None


class JobRead(BaseModel):
    name: str
    description: str
    description_en: str
    schedule: str
    lease_owner: str | None
    lease_until: datetime | None
    last_due_at: datetime | None
    last_run: JobRunRead | None
