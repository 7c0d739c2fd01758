"""Department sources (数据比对): registered sources, their loads, the records as received and
normalised (one row per version), the links of records to persons, findings and base merges."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class Source(TimestampMixin, Base):
    """A department's register, declared by a mapping file (columns → gridgov fields)."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # hukou, birth, social_security, housing …
    mapping: Mapped[dict] = mapped_column(JSON)  # the parsed mapping file
    mapping_text: Mapped[str] = mapped_column(Text)  # as written, for the admin page
    may_create_persons: Mapped[bool] = mapped_column(Boolean, default=False)
    # Argon2 hash of the push API key, and its first characters to tell keys apart.
    api_key_hash: Mapped[str | None] = mapped_column(String(200))
    api_key_prefix: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class SourceLoad(Base):
    """One file or pushed batch: who, when, and what came of each row."""

    __tablename__ = "source_loads"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # file, upload, api
    filename: Mapped[str | None] = mapped_column(String(200))
    loaded_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # [{"row": 7, "reason": "出生日期无法识别: 去年"}, …] (the first 1,000)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    # Per-field completeness and validity of the rows of this load, for the quality report.
    quality: Mapped[dict] = mapped_column(JSON, default=dict)


class SourceRecord(Base):
    """One version of one department record; ``current`` marks the latest. The department's
    record id (``record_key``) is the idempotency key."""

    __tablename__ = "source_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("source_loads.id", ondelete="CASCADE"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(64))
    # The last load that carried this record, unchanged re-sends included: a person no source
    # has carried for years is a finding.
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(32))
    raw: Mapped[dict] = mapped_column(JSON)
    # gridgov field → normalised value (dates ISO, IDs 18 characters, names simplified …)
    normalised: Mapped[dict] = mapped_column(JSON)
    # Columns matching and the pages filter on.
    name: Mapped[str | None] = mapped_column(String(64))
    birth_date: Mapped[date | None] = mapped_column(Date)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str | None] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    house_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("uq_source_records_key_version", "source_id", "record_key", "version", unique=True),
        Index("ix_source_records_current", "source_id", "record_key", "current"),
    )


class LinkDecision(StrEnum):
    AUTO_LINKED = "auto_linked"
    REVIEW = "review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FAMILY_MEMBER = "family_member"  # a relative of the candidate, not the candidate
    CREATED = "created"  # a new person made from the record (sources allowed to)
    UNMATCHED = "unmatched"


class SourceLink(Base):
    """What reconciliation decided for a source record: the person it is (or may be), with the
    probability and the explanation (each comparison's level and weight)."""

    __tablename__ = "source_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE"), index=True
    )
    record_key: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), index=True
    )
    decision: Mapped[str] = mapped_column(String(16), index=True)
    probability: Mapped[float | None] = mapped_column(Float)
    match_weight: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(String(32))  # exact_id, splink, manual, created
    # [{"comparison": "姓名", "level": "读音相同", "weight": 4.1}, …]
    explanation: Mapped[list] = mapped_column(JSON, default=list)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str] = mapped_column(String(64))
    current: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (Index("ix_source_links_source_current", "source_id", "current", "decision"),)


class SourceFinding(Base):
    """A conflict between a source and the base, routed to whoever must act."""

    __tablename__ = "source_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    source_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("source_records.id", ondelete="CASCADE")
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    # The department that must act (e.g. social security for a pension paid to the dead).
    department_code: Mapped[str | None] = mapped_column(String(32), index=True)
    evidence: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="open")
    task_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(64))
    close_reason: Mapped[str | None] = mapped_column(String(200))
    # What the finding says (kind, person, record version, evidence): a run does not write a
    # finding again, open or closed, while this is the same; changed data makes a new one.
    fingerprint: Mapped[str | None] = mapped_column(String(32), index=True)


class PersonMerge(Base):
    """Two base persons proposed as one; merging keeps ``person_id`` and marks the duplicate
    merged (a new version of it), splitting undoes it."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"))
    probability: Mapped[float] = mapped_column(Float)
    explanation: Mapped[list] = mapped_column(JSON, default=list)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    status: Mapped[str] = mapped_column(String(16), default="proposed")  # merged, split, rejected
    proposed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("uq_person_merges_pair", "person_id", "duplicate_id", unique=True),)
