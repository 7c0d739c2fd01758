"""Actual housing (实有房屋): one standard address per house (一标)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin
from gridgov.models.versioning import VersionedMixin


class HouseUse(StrEnum):
    RESIDENCE = "residence"
    RENTED = "rented"
    SHOP = "shop"
    OFFICE = "office"
    VACANT = "vacant"
    OTHER = "other"


class House(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "houses"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Standard address, e.g. 宜昌市西陵区解放路12号3栋2单元401; unique city-wide.
    address: Mapped[str] = mapped_column(String(200), unique=True)
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    building: Mapped[str | None] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(16))
    floor: Mapped[int | None] = mapped_column(Integer)
    room: Mapped[str | None] = mapped_column(String(16))
    building_floors: Mapped[int | None] = mapped_column(Integer)
    use: Mapped[str] = mapped_column(String(16), default=HouseUse.RESIDENCE, index=True)
    area_m2: Mapped[float | None] = mapped_column(Float)
    owner_name: Mapped[str | None] = mapped_column(String(100))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="active")
