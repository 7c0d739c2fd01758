"""A resident's answer after a case was closed (FixMyStreet's questionnaire): is it fixed, how
satisfied (满意度 1–5), and, when not fixed within the reopening period, the follow-up case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class CaseQuestionnaire(Base):
    __tablename__ = "case_questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One answer per case: the resident answers once after closure.
    case_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"),
        ForeignKey("cases.id", ondelete="CASCADE"),
        unique=True,
        index=True,
    )
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    fixed: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[int] = mapped_column(Integer)  # 5 very satisfied … 1 very dissatisfied
    comment: Mapped[str | None] = mapped_column(Text)
    # The case the resident reopened it as (not fixed, within the period), else None.
    reopened_number: Mapped[str | None] = mapped_column(String(16))
