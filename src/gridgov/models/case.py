"""Cases (事件/案件): one problem through the closed loop, its human timeline and step clocks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


class Case(TimestampMixin, Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    # Public tracking number (resident web form, Open311 service_request_id and token).
    number: Mapped[str] = mapped_column(String(16), unique=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    category_code: Mapped[str | None] = mapped_column(
        ForeignKey("case_categories.code", ondelete="RESTRICT")
    )
    # Responsible department: proposed from the category, fixed by dispatch.
    department_code: Mapped[str | None] = mapped_column(
        ForeignKey("departments.code", ondelete="RESTRICT")
    )
    state: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(8), default="normal")
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(200))
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    grid_code: Mapped[str | None] = mapped_column(String(15), index=True)
    # Reporter: shown masked only; the phone is kept encrypted for call-backs.
    reporter_name_masked: Mapped[str | None] = mapped_column(String(64))
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    reporter_user_id: Mapped[int | None] = mapped_column(Integer)
    # Open311 client / gateway that delivered the case and its own id for the message.
    client_id: Mapped[int | None] = mapped_column(Integer)
    external_id: Mapped[str | None] = mapped_column(String(64))
    # An API client's Idempotency-Key ("<user id>:<key>") and the hash of the body it came with:
    # a retry after a timeout gets the case made the first time, never a second one.
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    idempotency_hash: Mapped[str | None] = mapped_column(String(64))
    media_url: Mapped[str | None] = mapped_column(String(500))
    attributes: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The running step clock (register, dispatch, handle, verify); None when nothing runs.
    step: Mapped[str | None] = mapped_column(String(16))
    step_started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    step_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    step_warn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Working seconds left on the clock while it is paused (hold); None when running.
    paused_remaining_s: Mapped[int | None] = mapped_column(Integer)
    # Set when a deadline was computed over a year nobody entered in the calendar.
    calendar_warning: Mapped[str | None] = mapped_column(String(200))
    extension_minutes_requested: Mapped[int | None] = mapped_column(Integer)
    # Working minutes the dispatcher gave for handling (at most the category's limit; None:
    # the limit) and the approved extensions of this dispatch: a rework restarts handling with
    # both, so an approved extension still counts.
    handle_minutes: Mapped[int | None] = mapped_column(Integer)
    extension_minutes_granted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # A request waiting for approval: "return" (department → dispatcher) or "cancel"
    # (clerk → shift leader).
    pending_request: Mapped[str | None] = mapped_column(String(16))
    hold_from_state: Mapped[str | None] = mapped_column(String(16))
    supervision_level: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    verify_result: Mapped[str | None] = mapped_column(String(8))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", ondelete="SET NULL"))
    status_note: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The overdue and warning sets are index range scans on the running clock.
        Index("ix_cases_step_due_at", "step_due_at"),
        Index("ix_cases_state_category", "state", "category_code"),
        Index("ix_cases_department_state", "department_code", "state"),
        # Duplicate suggestions: same category, nearby latitude band.
        Index("ix_cases_category_lat", "category_code", "lat"),
        Index("ix_cases_reported_at", "reported_at"),
        # A person's timeline: the cases reported from their phone (masked, then exact).
        Index("ix_cases_reporter_phone_masked", "reporter_phone_masked"),
        # A gateway's retry of the same message never makes a second case.
        Index("uq_cases_client_external", "client_id", "external_id", unique=True),
        Index("uq_cases_idempotency_key", "idempotency_key", unique=True),
    )


class CaseEvent(Base):
    """One line of the case's human timeline (the trail keeps the machine record)."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    move: Mapped[str] = mapped_column(String(24))
    state_from: Mapped[str | None] = mapped_column(String(16))
    state_to: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    actor_name: Mapped[str | None] = mapped_column(String(64))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    department_code: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    # Shown to the reporter (Open311 status_notes, resident tracking page).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class CaseStep(Base):
    """History of step clocks, for on-time rates: one row per started step."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    department_code: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    on_time: Mapped[bool | None] = mapped_column(Boolean)


class ChannelClient(TimestampMixin, Base):
    """An external sender of cases: an Open311 app (api_key) or an SMS / e-mail gateway."""

    __tablename__ = "channel_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # open311 | sms | email
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
