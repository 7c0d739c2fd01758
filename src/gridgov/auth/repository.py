"""Every query of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, delete, or_, select, update
from sqlalchemy.orm import aliased

from gridgov.authz.policy import ACCOUNT_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.repository import Repository
from gridgov.models.region import OverlayCoverage, Region, RegionLevel
from gridgov.models.staff import Assignment, Staff
from gridgov.models.user import AuthSession, User


class UserRepository(Repository[User]):
    model = User

    def readable_statement(self, principal: Principal) -> Select[User]:
        stmt = select(User)
        if principal.role not in ACCOUNT_READERS:
            stmt = stmt.where(User.id == principal.user_id)
        return stmt

    def get_by_username(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username.lower()))

    def get_for_update(self, user_id: int) -> User | None:
        return self.session.scalar(select(User).where(User.id == user_id).with_for_update())

    def list_all(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(User.username)))

    def overlay_grid_codes(self, overlay_code: str) -> list[str]:
        """Codes of the community grids an overlay region (e.g. commerce grid) covers."""
        overlay = aliased(Region)
        stmt = (
            select(Region.code)
            .join(OverlayCoverage, OverlayCoverage.grid_id == Region.id)
            .join(overlay, overlay.id == OverlayCoverage.overlay_id)
            .where(overlay.code == overlay_code)
            .order_by(Region.code)
        )
        return list(self.session.scalars(stmt))

    def region_by_code(self, code: str) -> Region | None:
        return self.session.scalar(select(Region).where(Region.code == code))

    def first_staffed_grid(self) -> tuple[Region, Staff | None] | None:
        """A grid of the base layer with its current worker (demo accounts)."""
        row = self.session.execute(
            select(Region, Staff)
            .join(Assignment, (Assignment.region_id == Region.id) & Assignment.ended_at.is_(None))
            .join(Staff, Staff.id == Assignment.staff_id)
            .where(Region.level == RegionLevel.GRID.value)
            .order_by(Region.code)
            .limit(1)
        ).first()
        if row is not None:
            return row[0], row[1]
        grid = self.session.scalar(
            select(Region)
            .where(Region.level == RegionLevel.GRID.value)
            .order_by(Region.code)
            .limit(1)
        )
        return None if grid is None else (grid, None)

    def first_overlay(self, layer: str = "commerce") -> tuple[Region, Staff | None] | None:
        overlay = self.session.scalar(
            select(Region)
            .where(Region.level == RegionLevel.OVERLAY.value, Region.layer == layer)
            .order_by(Region.code)
            .limit(1)
        )
        if overlay is None:
            return None
        staff = self.session.scalar(
            select(Staff)
            .join(Assignment, Assignment.staff_id == Staff.id)
            .where(Assignment.region_id == overlay.id, Assignment.ended_at.is_(None))
        )
        return overlay, staff

    def staff_exists(self, staff_id: int) -> bool:
        return self.session.get(Staff, staff_id) is not None

    def staff_linked(self, staff_id: int) -> User | None:
        return self.session.scalar(select(User).where(User.staff_id == staff_id))


# Built once and only the columns a request needs: every authenticated request runs it.
_BY_TOKEN_HASH = (
    select(
        AuthSession.id,
        AuthSession.sid,
        AuthSession.kind,
        AuthSession.channel,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        AuthSession.revoked_at,
        AuthSession.grid_codes,
        User.id.label("user_id"),
        User.username,
        User.role,
        User.region_code,
        User.department_code,
        User.active,
        User.must_change_password,
        # The rest of the account's readable facts (``/auth/me`` answers from them).
        User.display_name,
        User.staff_id,
        User.locked_until,
        User.last_login_at,
    )
    .join(User, User.id == AuthSession.user_id)
    .where(AuthSession.token_hash == bindparam("digest"))
)


class SessionRepository(Repository[AuthSession]):
    model = AuthSession

    def by_token_hash(self, digest: str) -> Row[*tuple[Any, ...]] | None:
        """The session and its user's sign-in facts (columns only, no ORM objects)."""
        return self.session.execute(_BY_TOKEN_HASH, {"digest": digest}).first()

    def touch(self, session_id: int, *, at: datetime) -> None:
        self.session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=at)
        )

    def by_refresh_hash(self, digest: str) -> AuthSession | None:
        return self.session.scalar(select(AuthSession).where(AuthSession.refresh_hash == digest))

    def by_sid(self, sid: str) -> AuthSession | None:
        return self.session.scalar(select(AuthSession).where(AuthSession.sid == sid))

    def purge_stale(self, user_id: int, *, before: datetime) -> None:
        """Forget the user's sessions that ended before ``before`` (the trail keeps the
        sign-ins and sign-outs; this table only answers "is this token valid now")."""
        self.session.execute(
            delete(AuthSession)
            .where(
                AuthSession.user_id == user_id,
                or_(AuthSession.revoked_at < before, AuthSession.expires_at < before),
                or_(
                    AuthSession.refresh_expires_at.is_(None),
                    AuthSession.refresh_expires_at < before,
                ),
            )
            .execution_options(synchronize_session="fetch")
        )

    def revoke_all(self, user_id: int, *, now: datetime, except_sid: str | None = None) -> None:
        stmt = (
            update(AuthSession)
            .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        if except_sid is not None:
            stmt = stmt.where(AuthSession.sid != except_sid)
        self.session.execute(stmt.execution_options(synchronize_session=False))
