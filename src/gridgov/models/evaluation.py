"""Objective evaluation (客观评价): versioned rule sets, the points each day's records earn, and
appeals against a point."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class EvaluationRuleSet(Base):
    """One version of the rules (the TOML text as saved). A day is scored by the newest version
    whose ``effective_from`` is not after it."""

    __tablename__ = "evaluation_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    effective_from: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str | None] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EvaluationPoint(Base):
    """A deduction (negative) or credit (positive) for one subject, caused by one record.
    ``key`` names the cause independently of this row's id (a re-scored day gets the same keys,
    and appeals refer to keys)."""

    __tablename__ = "evaluation_points"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    key: Mapped[str] = mapped_column(String(160))
    event: Mapped[str] = mapped_column(String(32))
    subject_type: Mapped[str] = mapped_column(String(16))  # person | department
    subject_id: Mapped[str] = mapped_column(String(32))  # user id | department code
    points: Mapped[float] = mapped_column(Float)
    # Points struck out by an upheld appeal stay visible, with 0 counted.
    waived: Mapped[bool] = mapped_column(default=False)
    rule_version: Mapped[int] = mapped_column(Integer)
    # The record that caused it (drill-down): case step, case event, patrol day.
    object_type: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(_BIGINT)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    grid_code: Mapped[str | None] = mapped_column(String(15))
    department_code: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("uq_evaluation_points_key", "key", unique=True),
        Index("ix_evaluation_points_day", "day"),
        Index("ix_evaluation_points_subject_day", "subject_type", "subject_id", "day"),
    )


class EvaluationAppeal(Base):
    """申诉: a subject contests a point with a reason and evidence; the supervision centre
    decides. An upheld appeal waives the point when its day is (re)scored."""

    __tablename__ = "evaluation_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    point_key: Mapped[str] = mapped_column(String(160), index=True)
    day: Mapped[date] = mapped_column(Date)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(15))
    department_code: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|upheld|rejected
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
