"""Case categories: the component (部件) and event (事件) classes of GB/T 30428.2 / CJ/T 214.

A major class groups minor classes; only minor classes are used on cases. Each minor class has
its responsible department and the working time allowed for each step of the case loop.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class CaseCategory(TimestampMixin, Base):
    __tablename__ = "case_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "C0101" = component major 01 minor 01; "E01" = event major 01 (a group, not selectable).
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # component | event
    major_code: Mapped[str] = mapped_column(String(2))
    minor_code: Mapped[str | None] = mapped_column(String(2))
    parent_code: Mapped[str | None] = mapped_column(String(16), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    department_code: Mapped[str | None] = mapped_column(
        ForeignKey("departments.code", ondelete="RESTRICT"), index=True
    )
    # Working minutes allowed per step (a working day has 420 working minutes).
    register_minutes: Mapped[int] = mapped_column(Integer, default=60)
    dispatch_minutes: Mapped[int] = mapped_column(Integer, default=60)
    handle_minutes: Mapped[int] = mapped_column(Integer, default=420)
    verify_minutes: Mapped[int] = mapped_column(Integer, default=240)
    # How the handling deadline is announced: "hours" or "days" (display only).
    handle_unit: Mapped[str] = mapped_column(String(8), default="hours")
    # Share of the allowed time after which a step is in the warning state.
    warn_share: Mapped[float] = mapped_column(Float, default=0.7)
    # Open311 service-definition attributes (list of dicts), empty for most categories.
    attributes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
