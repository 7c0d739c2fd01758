"""Every query of the evaluation tables; reads start from the caller's scope."""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import ColumnElement, and_, case, delete, func, or_, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.evaluation.schemas import PointsOf
from gridgov.models.department import Department
from gridgov.models.evaluation import EvaluationAppeal, EvaluationPoint, EvaluationRuleSet
from gridgov.models.region import BASE_LAYER, Region
from gridgov.models.user import User


def point_scope(principal: Principal) -> ColumnElement[bool]:
    """Points a caller may read: the region/department scope; a grid worker only the own."""
    clause = scope_clause(
        principal,
        grid_code=cast(ColumnElement[str], EvaluationPoint.grid_code),
        department_code=cast(ColumnElement[str], EvaluationPoint.department_code),
    )
    if principal.role == Role.GRID_WORKER and not principal.system:
        own = and_(
            EvaluationPoint.subject_type == "person",
            EvaluationPoint.subject_id == str(principal.user_id),
        )
        return and_(clause, own)
    return clause


def appeal_scope(principal: Principal) -> ColumnElement[bool]:
    clause = scope_clause(
        principal,
        grid_code=cast(ColumnElement[str], EvaluationAppeal.grid_code),
        department_code=cast(ColumnElement[str], EvaluationAppeal.department_code),
    )
    if principal.role == Role.GRID_WORKER and not principal.system:
        return and_(clause, EvaluationAppeal.subject_id == str(principal.user_id))
    return clause


class EvaluationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # rule sets
    def rule_set_for(self, day: date) -> EvaluationRuleSet | None:
        return self.session.scalars(
            select(EvaluationRuleSet)
            .where(EvaluationRuleSet.effective_from <= day)
            .order_by(EvaluationRuleSet.effective_from.desc(), EvaluationRuleSet.version.desc())
            .limit(1)
        ).first()

    def rule_sets(self) -> list[EvaluationRuleSet]:
        return list(
            self.session.scalars(
                select(EvaluationRuleSet).order_by(EvaluationRuleSet.version.desc())
            )
        )

    def next_version(self) -> int:
        return (
            int(
                self.session.scalar(select(func.coalesce(func.max(EvaluationRuleSet.version), 0)))
                or 0
            )
            + 1
        )

    # points
    def replace_day(self, day: date, points: list[EvaluationPoint]) -> None:
        self.session.execute(delete(EvaluationPoint).where(EvaluationPoint.day == day))
        self.session.add_all(points)
        self.session.flush()

    def upheld_keys(self, day: date) -> set[str]:
        return set(
            self.session.scalars(
                select(EvaluationAppeal.point_key).where(
                    EvaluationAppeal.day == day, EvaluationAppeal.state == "upheld"
                )
            )
        )

    def totals(
        self, principal: Principal, *, subject_type: str, start: date, end: date
    ) -> list[tuple[str, float, float, int]]:
        """(subject, deductions, credits, points counted) per subject over [start, end]."""
        counted = func.sum(case((EvaluationPoint.waived, 0.0), else_=EvaluationPoint.points))
        rows = self.session.execute(
            select(
                EvaluationPoint.subject_id,
                func.coalesce(
                    func.sum(
                        case(
                            (
                                and_(EvaluationPoint.points < 0, ~EvaluationPoint.waived),
                                EvaluationPoint.points,
                            ),
                            else_=0.0,
                        )
                    ),
                    0.0,
                ),
                func.coalesce(counted, 0.0),
                func.count(),
            )
            .where(point_scope(principal))
            .where(EvaluationPoint.subject_type == subject_type)
            .where(EvaluationPoint.day >= start, EvaluationPoint.day <= end)
            .group_by(EvaluationPoint.subject_id)
        ).all()
        return [(str(s), float(d), float(t) - float(d), int(n)) for s, d, t, n in rows]

    def points(self, principal: Principal, wanted: PointsOf) -> list[EvaluationPoint]:
        return list(
            self.session.scalars(
                select(EvaluationPoint)
                .where(point_scope(principal))
                .where(
                    EvaluationPoint.subject_type == wanted.subject_type,
                    EvaluationPoint.subject_id == wanted.subject_id,
                    EvaluationPoint.day >= wanted.start,
                    EvaluationPoint.day <= wanted.end,
                )
                .order_by(EvaluationPoint.at, EvaluationPoint.key)
            )
        )

    def point(self, principal: Principal, point_id: int) -> EvaluationPoint | None:
        return self.session.scalars(
            select(EvaluationPoint).where(point_scope(principal), EvaluationPoint.id == point_id)
        ).first()

    # appeals
    def appeals(self, principal: Principal, *, state: str | None = None) -> list[EvaluationAppeal]:
        stmt = (
            select(EvaluationAppeal)
            .where(appeal_scope(principal))
            .order_by(EvaluationAppeal.id.desc())
        )
        if state:
            stmt = stmt.where(EvaluationAppeal.state == state)
        return list(self.session.scalars(stmt))

    def appeal(self, principal: Principal, appeal_id: int) -> EvaluationAppeal | None:
        return self.session.scalars(
            select(EvaluationAppeal).where(
                appeal_scope(principal), EvaluationAppeal.id == appeal_id
            )
        ).first()

    def open_appeal_for(self, key: str) -> EvaluationAppeal | None:
        return self.session.scalars(
            select(EvaluationAppeal).where(
                EvaluationAppeal.point_key == key,
                or_(EvaluationAppeal.state == "pending", EvaluationAppeal.state == "upheld"),
            )
        ).first()

    def department_names(self, codes: list[str]) -> dict[str, tuple[str, str]]:
        rows = self.session.execute(
            select(Department.code, Department.name, Department.name_en).where(
                Department.code.in_(codes)
            )
        )
        return {code: (name, name_en) for code, name, name_en in rows}

    def region_names(self, codes: list[str]) -> dict[str, str]:
        rows = self.session.execute(
            select(Region.code, Region.name).where(
                Region.code.in_(codes), Region.layer == BASE_LAYER
            )
        )
        return {code: name for code, name in rows}

    def person_names(self, user_ids: list[int]) -> dict[str, str]:
        rows = self.session.execute(
            select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))
        )
        return {str(uid): display or username for uid, display, username in rows}

    def appeal_states(self, keys: list[str]) -> dict[str, str]:
        """The newest appeal's state of each point key."""
        rows = self.session.execute(
            select(EvaluationAppeal.point_key, EvaluationAppeal.state)
            .where(EvaluationAppeal.point_key.in_(keys))
            .order_by(EvaluationAppeal.id)
        )
        return {key: state for key, state in rows}

    def subjects(self, principal: Principal, *, subject_type: str) -> list[str]:
        """Everyone who is scored, with or without points: the active grid workers and the
        active departments of the caller's scope (a grid worker: only the own account)."""
        if subject_type == "person":
            stmt = select(User.id).where(
                User.role == Role.GRID_WORKER,
                User.active.is_(True),
                scope_clause(principal, grid_code=cast(ColumnElement[str], User.region_code)),
            )
            if principal.role == Role.GRID_WORKER and not principal.system:
                stmt = stmt.where(User.id == principal.user_id)
            return [str(uid) for uid in self.session.scalars(stmt)]
        return list(
            self.session.scalars(
                select(Department.code).where(
                    Department.active.is_(True),
                    scope_clause(principal, department_code=Department.code),
                )
            )
        )
