"""Queries on patrols and their tracks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.sync.repository import dialect_insert
from gridgov.models.patrol import Patrol, PatrolPoint
from gridgov.models.region import Region
from gridgov.models.user import User

MAX_WORKERS = 2000


class PatrolRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def by_uuid(self, uuid: str, *, lock: bool = False) -> Patrol | None:
        statement = select(Patrol).where(Patrol.uuid == uuid)
        if lock:
            statement = statement.with_for_update()
        return self.session.scalars(statement).first()

    def add(self, patrol: Patrol) -> Patrol:
        self.session.add(patrol)
        self.session.flush()
        return patrol

    def grid_geometry(self, grid_code: str) -> str | None:
        return self.session.scalar(select(Region.geometry).where(Region.code == grid_code))

    def insert_points(self, rows: list[dict[str, Any]]) -> int:
        """Insert points not stored yet (same patrol and time = same point); how many were new."""
        if not rows:
            return 0
        table = PatrolPoint.__table__
        statement = (
            dialect_insert(self.session, table)
            .on_conflict_do_nothing(index_elements=["patrol_id", "t"])
            .returning(table.c.id)
        )
        return len(self.session.execute(statement, rows).all())

    def track(self, patrol_id: int) -> list[tuple[datetime, float, float, bool]]:
        rows = self.session.execute(
            select(PatrolPoint.t, PatrolPoint.lng, PatrolPoint.lat, PatrolPoint.inside)
            .where(PatrolPoint.patrol_id == patrol_id)
            .order_by(PatrolPoint.t)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def of_user_day(self, user_id: int, day: date) -> list[Patrol]:
        return list(
            self.session.scalars(
                select(Patrol)
                .where(Patrol.user_id == user_id, Patrol.day == day)
                .order_by(Patrol.started_at)
            )
        )

    def usernames(self, user_ids: list[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        rows = self.session.execute(
            select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))
        )
        return {r[0]: r[1] or r[2] for r in rows}

    def day_patrols_in_area(
        self, principal: Principal, day: date
    ) -> list[tuple[int, int, str, int, datetime | None]]:
        """(id, user_id, grid_code, seconds inside, last point's time) of the day's patrols in
        the caller's scope, by grid."""
        rows = self.session.execute(
            self.readable_patrols(principal)
            .with_only_columns(
                Patrol.id, Patrol.user_id, Patrol.grid_code, Patrol.seconds_inside, Patrol.last_t
            )
            .where(Patrol.day == day)
            .order_by(Patrol.grid_code, Patrol.user_id, Patrol.started_at)
        )
        return [(r[0], r[1], r[2], int(r[3] or 0), r[4]) for r in rows]

    def first_points(self, patrol_ids: list[int]) -> dict[int, datetime]:
        """The time of each patrol's first point (one index lookup per patrol; the last one is
        kept on the patrol)."""
        if not patrol_ids:
            return {}
        first = (
            select(func.min(PatrolPoint.t))
            .where(PatrolPoint.patrol_id == Patrol.id)
            .scalar_subquery()
        )
        rows = self.session.execute(select(Patrol.id, first).where(Patrol.id.in_(patrol_ids)))
        return {r[0]: r[1] for r in rows if r[1] is not None}

    # -- the supervisors' view: every query starts from what the caller may read ----------------
    def readable_patrols(self, principal: Principal) -> Select[Patrol]:
        return select(Patrol).where(scope_clause(principal, grid_code=Patrol.grid_code))

    def readable_workers(self, principal: Principal) -> Select[User]:
        """Grid workers whose grid lies in the caller's area."""
        return select(User).where(
            User.role == Role.GRID_WORKER,
            scope_clause(principal, grid_code=User.region_code),
        )

    def worker(self, principal: Principal, user_id: int) -> User | None:
        return self.session.scalars(
            self.readable_workers(principal).where(User.id == user_id)
        ).first()

    def workers(self, principal: Principal) -> list[tuple[int, str, str]]:
        """(user id, name, grid code) of the workers in the caller's area, by grid."""
        statement = self.readable_workers(principal).with_only_columns(
            User.id, func.coalesce(User.display_name, User.username), User.region_code
        )
        rows = self.session.execute(statement.order_by(User.region_code).limit(MAX_WORKERS))
        return [(r[0], r[1], r[2] or "") for r in rows]

    def day_patrols(self, principal: Principal, user_id: int, day: date) -> list[Patrol]:
        return list(
            self.session.scalars(
                self.readable_patrols(principal)
                .where(Patrol.user_id == user_id, Patrol.day == day)
                .order_by(Patrol.started_at)
            )
        )

    def tracks(self, patrol_ids: list[int]) -> dict[int, list[tuple[datetime, float, float, bool]]]:
        """The points of several (already readable) patrols in one query, each in time order."""
        found: dict[int, list[tuple[datetime, float, float, bool]]] = {i: [] for i in patrol_ids}
        if not patrol_ids:
            return found
        rows = self.session.execute(
            select(
                PatrolPoint.patrol_id,
                PatrolPoint.t,
                PatrolPoint.lng,
                PatrolPoint.lat,
                PatrolPoint.inside,
            )
            .where(PatrolPoint.patrol_id.in_(patrol_ids))
            .order_by(PatrolPoint.patrol_id, PatrolPoint.t)
        )
        for r in rows:
            found[r[0]].append((r[1], r[2], r[3], r[4]))
        return found

    def grids(self, codes: set[str]) -> list[tuple[str, str, str]]:
        """(code, name, GeoJSON geometry) of the grids the patrols ran in."""
        if not codes:
            return []
        rows = self.session.execute(
            select(Region.code, Region.name, Region.geometry)
            .where(Region.code.in_(sorted(codes)))
            .order_by(Region.code)
        )
        return [(r[0], r[1], r[2]) for r in rows]
