"""Collection modules (采集模块) of the field app, defined as XLSForm files.

Every upload of a module is a new row (``code`` + ``version``); submissions name the version they
were filled in, so an older form stays readable after the module changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class FieldModule(TimestampMixin, Base):
    __tablename__ = "field_modules"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    # person | household | house | organisation | None: what a submission of this module updates.
    target: Mapped[str | None] = mapped_column(String(32))
    # The parsed form (fields, choices, expressions) that the phone and the server both evaluate.
    definition: Mapped[dict] = mapped_column(JSON)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    uploaded_by: Mapped[int | None] = mapped_column(Integer)
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("code", "version", name="uq_field_modules_code_version"),)
