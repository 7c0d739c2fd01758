"""Records synced from the field app: form submissions, problem reports, task results.

Idempotency lives in the table: ``uuid`` (generated on the phone) is unique and ``content_hash``
tells a harmless re-send from a different record under the same UUID.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base

BIGID = BigInteger().with_variant(Integer, "sqlite")


class FieldSubmission(Base):
    __tablename__ = "field_submissions"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    # form | report | task_result
    kind: Mapped[str] = mapped_column(String(16))
    module_code: Mapped[str | None] = mapped_column(String(64))
    module_version: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(Integer)
    grid_code: Mapped[str | None] = mapped_column(String(15))
    subject_type: Mapped[str | None] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    base_version: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    collected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    # stored | applied | conflict (stale base version, waiting for a supervisor)
    state: Mapped[str] = mapped_column(String(16), default="stored")
    # What the record became elsewhere: "case:123", "person:9@v4", "task:5".
    result_ref: Mapped[str | None] = mapped_column(String(64))
    # With state error: why the effect failed ({code, reason, message, message_en}), answered
    # again when the phone re-sends the record (the first answer may have been lost).
    effect_error: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_field_submissions_user_received", "user_id", "received_at"),
        Index("ix_field_submissions_grid_kind", "grid_code", "kind"),
    )


class SyncConflict(Base):
    """A record the server would not store as it came: kept for a supervisor's review.

    ``kind``: ``uuid_mismatch`` (same UUID, different content: answered 409) or ``stale``
    (an update made on an old version of a person/household/house/organisation).
    """

    __tablename__ = "field_sync_conflicts"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(Integer)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    record: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open", index=True)
    resolution: Mapped[str | None] = mapped_column(String(16))
    resolved_by: Mapped[int | None] = mapped_column(Integer)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("uq_field_sync_conflicts_uuid_hash", "uuid", "content_hash", unique=True),
    )


class FieldUpload(Base):
    """A resumable photo upload: chunks are appended to a file until ``size`` bytes arrived."""

    __tablename__ = "field_uploads"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    media_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
