"""Actual organisations (实有单位): enterprises, shops, restaurants, social organisations."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin
from gridgov.models.versioning import VersionedMixin


class OrganisationType(StrEnum):
    ENTERPRISE = "enterprise"  # 企业
    INDIVIDUAL_BUSINESS = "individual_business"  # 个体工商户
    SOCIAL_ORGANISATION = "social_organisation"  # 社会组织
    PUBLIC_INSTITUTION = "public_institution"  # 事业单位
    GOVERNMENT = "government"  # 机关


class Organisation(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    org_type: Mapped[str] = mapped_column(String(32))
    # Business line, e.g. restaurant 餐饮, shop 零售 (the food-safety module reads this).
    industry: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(String(200))
    house_id: Mapped[int | None] = mapped_column(
        ForeignKey("houses.id", ondelete="RESTRICT"), index=True
    )
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    legal_representative: Mapped[str | None] = mapped_column(String(64))
    # [{"kind": "food_business", "number": "JY14205020001234", "valid_until": "2029-01-01"}]
    licences: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")
