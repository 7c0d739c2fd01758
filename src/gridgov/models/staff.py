"""Staff working in the field (grid workers, overlay inspectors) and their assignment history."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridgov.kit.models import Base, TimestampMixin
from gridgov.models.region import Region


class StaffKind(StrEnum):
    GRID_WORKER = "grid_worker"
    INSPECTOR = "inspector"


class Staff(TimestampMixin, Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Assignment(Base):
    """A staff member responsible for one region from ``started_at`` until ``ended_at``.

    At most one open assignment per region and per staff member; history is never rewritten.
    """

    __tablename__ = "staff_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="RESTRICT"), index=True)
    region_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str | None] = mapped_column(String(200))

    staff: Mapped[Staff] = relationship(lazy="raise")
    region: Mapped[Region] = relationship(lazy="raise")

    __table_args__ = (
        Index(
            "uq_staff_assignments_open_region",
            "region_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index(
            "uq_staff_assignments_open_staff",
            "staff_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )
