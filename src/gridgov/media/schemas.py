from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class MediaRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sha256: str
    content_type: str
    size: int
    filename: str
    case_id: int | None
    created_at: datetime | None = None
    url: str = ""
