"""Regions: the city's hierarchy (district → street → community → grid) and overlay layers."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridgov.kit.models import Base, TimestampMixin


class RegionLevel(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"
    OVERLAY = "overlay"


# Code length of each level of the base layer (GB/T 2260 + street + community + grid sequence).
CODE_LENGTH: dict[RegionLevel, int] = {
    RegionLevel.DISTRICT: 6,
    RegionLevel.STREET: 9,
    RegionLevel.COMMUNITY: 12,
    RegionLevel.GRID: 15,
}
LEVEL_BY_CODE_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
BASE_LAYER = "base"


class Region(TimestampMixin, Base):
    """A polygon with a code. Base-layer codes nest: a parent's code prefixes its children's."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16), index=True)
    layer: Mapped[str] = mapped_column(String(32), default=BASE_LAYER, index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("regions.id", ondelete="RESTRICT"), index=True
    )
    # GeoJSON geometry (WGS84 lng/lat) and its bounding box and centre for cheap map queries.
    geometry: Mapped[str] = mapped_column(Text)
    min_lng: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    center_lng: Mapped[float] = mapped_column(Float)
    center_lat: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float] = mapped_column(Float)

    parent: Mapped[Region | None] = relationship(remote_side=[id], lazy="raise")

    __table_args__ = (Index("ix_regions_layer_level_code", "layer", "level", "code"),)


class OverlayCoverage(Base):
    """Which community grids an overlay region (e.g. a commerce inspection grid) covers."""

    __tablename__ = "overlay_coverage"

    overlay_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[int] = mapped_column(
        ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
