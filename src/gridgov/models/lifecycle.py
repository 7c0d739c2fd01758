"""Life events, the rules set, proxy services (代办) and family links of newborns."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class LifeEvent(TimestampMixin, Base):
    """A department notification (birth, death, move …) or a computed event (turning 60 …).

    ``status``: ``tasked`` (a rule made a task), ``finding`` (a visible item for community
    staff: unknown person, unresolvable address, family not living there …), ``applied`` (the
    event changed the base directly, e.g. an ID number reached a newborn), ``no_rule``.
    """

    __tablename__ = "life_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32), index=True)
    source: Mapped[str] = mapped_column(String(32))
    # Idempotency: a department's own transaction id, or "computed:<type>:<person>:<date>".
    source_ref: Mapped[str] = mapped_column(String(120))
    occurred_on: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    house_id: Mapped[int | None] = mapped_column(Integer)
    household_id: Mapped[int | None] = mapped_column(Integer)
    # The grid the address resolved to; the community code when it did not (staff fallback).
    grid_code: Mapped[str] = mapped_column(String(15), default="")
    status: Mapped[str] = mapped_column(String(16), default="tasked")
    rule_code: Mapped[str | None] = mapped_column(String(64))
    task_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # What completing the task does: the rule's actions as they were when the task was made.
    on_complete: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("source", "source_ref"),
        Index("ix_life_events_grid_status", "grid_code", "status"),
    )


class RuleSet(TimestampMixin, Base):
    """A version of the rules file as an administrator saved it (the newest one applies)."""

    __tablename__ = "lifecycle_rule_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, unique=True)
    text: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[int | None] = mapped_column(Integer)


class ProxyService(TimestampMixin, Base):
    """A service the grid worker carries for a resident (代办): open → handed over → done."""

    __tablename__ = "proxy_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(String(32), index=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)
    grid_code: Mapped[str] = mapped_column(String(15))
    department_code: Mapped[str] = mapped_column(String(32))
    # open → handed_over → done | rejected; or cancelled (e.g. the person died)
    state: Mapped[str] = mapped_column(String(16), default="open")
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    documents: Mapped[list] = mapped_column(JSON, default=list)
    event_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[int | None] = mapped_column(Integer)
    opened_by: Mapped[int | None] = mapped_column(Integer)
    handed_over_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_proxy_services_grid_state", "grid_code", "state"),)


class FamilyLink(Base):
    """A newborn's parents as the hospital named them (the base has households, not parents)."""

    __tablename__ = "family_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(Integer, index=True)
    parent_id: Mapped[int] = mapped_column(Integer, index=True)
    relation: Mapped[str] = mapped_column(String(8))  # mother | father
    event_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("child_id", "relation"),)
