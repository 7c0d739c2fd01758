"""Patrol sessions (巡查) of grid workers and their GPS tracks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    false,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base

BIGID = BigInteger().with_variant(Integer, "sqlite")


class Patrol(Base):
    __tablename__ = "patrols"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int] = mapped_column(Integer)
    grid_code: Mapped[str] = mapped_column(String(15))
    # The local (Asia/Shanghai) working day the patrol started on.
    day: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds_inside: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[float] = mapped_column(Float, default=0.0)
    point_count: Mapped[int] = mapped_column(Integer, default=0)
    # The last point counted so far, for incremental time-in-grid while the patrol runs.
    last_t: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_lng: Mapped[float | None] = mapped_column(Float)
    last_lat: Mapped[float | None] = mapped_column(Float)
    last_inside: Mapped[bool | None] = mapped_column(Boolean)
    # The phone's clock against the server's (seconds, + = phone ahead), the largest gap seen;
    # flagged beyond the tolerance: its duty time is not to be trusted blindly.
    clock_drift_s: Mapped[int | None] = mapped_column(Integer)
    clock_flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    __table_args__ = (
        Index("ix_patrols_user_day", "user_id", "day"),
        Index("ix_patrols_grid_day", "grid_code", "day"),
    )


class PatrolPoint(Base):
    __tablename__ = "patrol_points"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    patrol_id: Mapped[int] = mapped_column(ForeignKey("patrols.id", ondelete="CASCADE"))
    t: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    lng: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    inside: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        # A re-sent point is the same point: (patrol, time) is its identity.
        Index("uq_patrol_points_patrol_t", "patrol_id", "t", unique=True),
    )
