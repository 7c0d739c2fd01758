"""Actual population (实有人口): registered, floating and foreign residents.

ID numbers and phones are stored encrypted, with a keyed hash for exact search and the mask
precomputed for lists (so listing never decrypts).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin
from gridgov.models.versioning import VersionedMixin
from gridgov.people.tags import TAGS, tag_condition_sql


class ResidenceType(StrEnum):
    REGISTERED = "registered"  # 户籍
    FLOATING = "floating"  # 流动
    FOREIGN = "foreign"  # 境外


class LivingStatus(StrEnum):
    ALIVE = "alive"
    DECEASED = "deceased"
    MOVED_AWAY = "moved_away"
    # Merged into another person (two records of one man): kept as a version, ``merged_into_id``
    # names the survivor; a split restores it.
    MERGED = "merged"


class IdType(StrEnum):
    RESIDENT_ID = "resident_id"  # 居民身份证 (GB 11643)
    PASSPORT = "passport"
    PERMIT = "permit"  # 外国人永久居留身份证 / 港澳台居住证
    # 出生医学证明: a newborn is in the base before the police issue the resident ID.
    BIRTH_CERT = "birth_cert"


class Person(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_type: Mapped[str] = mapped_column(String(16), default=IdType.RESIDENT_ID)
    id_number_enc: Mapped[str] = mapped_column(Text)
    id_number_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_number_masked: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(64), index=True)
    # The name without the surname, so "小明" finds 王小明 through an index (prefix search).
    given_name: Mapped[str] = mapped_column(String(64), index=True, server_default="")
    name_pinyin: Mapped[str] = mapped_column(String(200))
    name_initials: Mapped[str] = mapped_column(String(32), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date, index=True)
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    nationality: Mapped[str | None] = mapped_column(String(3))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    registered_address: Mapped[str | None] = mapped_column(String(200))
    current_address: Mapped[str | None] = mapped_column(String(200))
    residence_type: Mapped[str] = mapped_column(String(16), default=ResidenceType.REGISTERED)
    living_status: Mapped[str] = mapped_column(String(16), default=LivingStatus.ALIVE)
    moved_in_on: Mapped[date | None] = mapped_column(Date)
    permit_expires_on: Mapped[date | None] = mapped_column(Date)
    # [{"code": "elderly_alone", "source": "grid_worker"}, ...] and the codes as ",a,b," for
    # portable filtering with LIKE.
    tags: Mapped[list] = mapped_column(JSON, default=list)
    tag_codes: Mapped[str] = mapped_column(String(400), default="")
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="RESTRICT"), index=True
    )
    relation_to_head: Mapped[str | None] = mapped_column(String(16))
    house_id: Mapped[int | None] = mapped_column(
        ForeignKey("houses.id", ondelete="RESTRICT"), index=True
    )
    grid_code: Mapped[str] = mapped_column(String(15))
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL")
    )

    __table_args__ = (
        Index("ix_persons_grid_code_name", "grid_code", "name"),
        # Pinyin and initials search in one index: filter (prefix, initials in the index) and
        # pinyin order of a latin search, without reading the rows.
        Index("ix_persons_pinyin", "name_pinyin", "name_initials"),
        # One small partial index per tag, in name order: a tag filter reads only its persons.
        *(
            Index(
                f"ix_persons_tag_{code}",
                "name",
                sqlite_where=text(tag_condition_sql(code)),
                postgresql_where=text(tag_condition_sql(code)),
            )
            for code in TAGS
        ),
    )
