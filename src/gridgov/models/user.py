"""Accounts and their sign-in sessions (bearer tokens and web cookies)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridgov.kit.models import Base, TimestampMixin


class User(TimestampMixin, Base):
    """One person's account. A user holds exactly one role (so system, security and audit
    administration can never be combined in one account)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32), index=True)
    # Root of the data scope: a base-layer region code (grid workers 15 digits … district 6) or,
    # for inspectors, the code of their overlay region.
    region_code: Mapped[str | None] = mapped_column(String(24), index=True)
    department_code: Mapped[str | None] = mapped_column(String(32), index=True)
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="RESTRICT"), index=True
    )
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthSession(Base):
    """A signed-in session. Only hashes of the secrets are stored; revoking sets ``revoked_at``.

    ``kind`` is ``bearer`` (API / field app, with a refresh token) or ``web`` (cookie, idle
    timeout). ``grid_codes`` is resolved at sign-in for overlay inspectors.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Public id of the session (goes into the trail and keys the CSRF token); not a secret.
    sid: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    refresh_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    grid_codes: Mapped[list[str] | None] = mapped_column(JSON)
    client: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship(lazy="raise")
