"""The vector base map drawn under every map when no tile server is configured: roads,
compounds, building footprints and their names, as GeoJSON geometries with a bounding box."""

from __future__ import annotations

from sqlalchemy import Float, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base


class BasemapFeature(Base):
    __tablename__ = "basemap_features"

    id: Mapped[int] = mapped_column(primary_key=True)
    # road, compound, building
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(100))
    geometry: Mapped[str] = mapped_column(Text)  # GeoJSON geometry, WGS 84
    min_lng: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lng: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index("ix_basemap_features_kind_bbox", "kind", "min_lng", "min_lat"),)
