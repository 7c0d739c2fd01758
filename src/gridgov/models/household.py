"""Households (户): members live in one house; each member's relation to the head is on the
person (``Person.relation_to_head``)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin
from gridgov.models.versioning import VersionedMixin


class HouseholdKind(StrEnum):
    REGISTERED = "registered"  # 户籍户
    RESIDENT = "resident"  # 实有住户 (tenants, floating households)


class Household(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    household_no: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=HouseholdKind.REGISTERED)
    house_id: Mapped[int | None] = mapped_column(
        ForeignKey("houses.id", ondelete="RESTRICT"), index=True
    )
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="active")
