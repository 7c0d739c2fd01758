"""Bodies of the upload API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gridgov.fieldwork.sync.schemas import UUID_PATTERN


class UploadCreate(BaseModel):
    id: str = Field(pattern=UUID_PATTERN)
    filename: str = Field(min_length=1, max_length=200)
    content_type: str = Field(max_length=64)
    size: int = Field(ge=1)


class UploadRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    size: int
    received: int
    media_id: int | None
