"""Per-grid population counts, refreshed by every write path; parents aggregate by code prefix."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class GridPopulationStats(Base):
    __tablename__ = "grid_population_stats"

    grid_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    households: Mapped[int] = mapped_column(Integer, default=0)
    persons: Mapped[int] = mapped_column(Integer, default=0)
    registered: Mapped[int] = mapped_column(Integer, default=0)
    floating: Mapped[int] = mapped_column(Integer, default=0)
    foreign: Mapped[int] = mapped_column(Integer, default=0)
    elderly: Mapped[int] = mapped_column(Integer, default=0)
    elderly_alone: Mapped[int] = mapped_column(Integer, default=0)
    special_groups: Mapped[int] = mapped_column(Integer, default=0)
    houses: Mapped[int] = mapped_column(Integer, default=0)
    organisations: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
