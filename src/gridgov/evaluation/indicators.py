"""The standard indicators (REFERENCE.md, CJ/T 292) per unit and period, with rankings.

Public API (the dashboard charts these, the ledgers export them):

- :func:`period_range(period, anchor)` — the [first, last] days of the day / week / month /
  quarter containing ``anchor``.
- :func:`case_indicators(session, principal=, level=, start=, end=)` — per department, grid,
  community, street or district: cases dispatched in the period, closure rate, on-time
  closure rate, rework rate, extension rate, ranked by on-time closure rate.
- :func:`worker_indicators(session, principal=, start=, end=)` — per grid worker: on-time
  verification rate and patrol-hours compliance (duty days with the daily hours in the own
  grid), ranked by compliance.

Every query starts from the caller's scope; rates are None when nothing was due.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.evaluation.scoring import day_window
from gridgov.evaluation.service import rule_book_for
from gridgov.kit.errors import BadRequest
from gridgov.models.case import Case, CaseStep
from gridgov.models.patrol import Patrol
from gridgov.models.redivision import RecordGridMove
from gridgov.models.user import User
from gridgov.workcal.service import current_calendar

PERIODS = ("day", "week", "month", "quarter")
# Region levels and the length of their code prefix of a 15-digit grid code.
LEVELS = {"district": 6, "street": 9, "community": 12, "grid": 15, "department": 0}


def period_range(period: str, anchor: date) -> tuple[date, date]:
    if period == "day":
        return anchor, anchor
    if period == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = anchor.replace(day=1)
    elif period == "quarter":
        start = anchor.replace(month=(anchor.month - 1) // 3 * 3 + 1, day=1)
    else:
        raise BadRequest("考核周期无效", "Unknown period", period=period)
    months = 1 if period == "month" else 3
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1) - timedelta(days=1)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class CaseIndicators:
    key: str  # department code or region code
    dispatched: int
    closed: int
    closed_on_time: int
    handled: int
    reworked: int
    extended: int
    rank: int = 0

    @property
    def closure_rate(self) -> float | None:
        return _rate(self.closed, self.dispatched)

    @property
    def on_time_closure_rate(self) -> float | None:
        return _rate(self.closed_on_time, self.dispatched)

    @property
    def rework_rate(self) -> float | None:
        return _rate(self.reworked, self.handled)

    @property
    def extension_rate(self) -> float | None:
        return _rate(self.extended, self.dispatched)


def grid_then(until: datetime) -> ColumnElement[str]:
    """A case's grid at the end of a period: where a re-division moved it later, the grid it
    left (the first move after ``until``), else its grid today. A past month's figures stay
    those of the division it was worked under."""
    moved_from = (
        select(RecordGridMove.from_grid)
        .where(
            RecordGridMove.record_type == "case",
            RecordGridMove.record_id == Case.id,
            RecordGridMove.effective_at >= until,
        )
        .order_by(RecordGridMove.effective_at, RecordGridMove.id)
        .limit(1)
        .scalar_subquery()
    )
    return cast(ColumnElement[str], func.coalesce(moved_from, Case.grid_code))


def case_indicators(
    session: Session, *, principal: Principal, level: str, start: date, end: date
) -> list[CaseIndicators]:
    """Cases dispatched in [start, end], grouped by ``level``, best on-time closure first."""
    if level not in LEVELS:
        raise BadRequest("统计层级无效", "Unknown level", level=level)
    since, until = day_window(start)[0], day_window(end)[1]
    grid = grid_then(until)
    key = cast(
        ColumnElement[str | None],
        Case.department_code if level == "department" else func.substr(grid, 1, LEVELS[level]),
    )
    late = select(CaseStep.case_id).where(CaseStep.step == "handle", CaseStep.on_time.is_(False))

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    rows = session.execute(
        select(
            key,
            func.count(),
            count(Case.closed_at.is_not(None)),
            count(Case.closed_at.is_not(None) & Case.id.not_in(late)),
            count(Case.handled_at.is_not(None)),
            count(Case.rework_count > 0),
            count(Case.extension_count > 0),
        )
        .where(
            scope_clause(
                principal,
                grid_code=grid,
                department_code=cast(ColumnElement[str], Case.department_code),
            )
        )
        .where(Case.dispatched_at >= since, Case.dispatched_at < until, key.is_not(None))
        .group_by(key)
    ).all()
    found = [CaseIndicators(str(r[0]), *(int(v) for v in r[1:])) for r in rows]
    found.sort(key=lambda i: (-(i.on_time_closure_rate or 0.0), i.key))
    return [_ranked(item, index) for index, item in enumerate(found)]


def _ranked(item: CaseIndicators, index: int) -> CaseIndicators:
    return CaseIndicators(**{**item.__dict__, "rank": index + 1})


@dataclass(frozen=True)
class WorkerIndicators:
    user_id: int
    username: str
    grid_code: str
    verifications: int
    verified_on_time: int
    duty_days: int
    compliant_days: int
    rank: int = 0

    @property
    def on_time_verification_rate(self) -> float | None:
        return _rate(self.verified_on_time, self.verifications)

    @property
    def patrol_compliance(self) -> float | None:
        return _rate(self.compliant_days, self.duty_days)


def worker_indicators(
    session: Session, *, principal: Principal, start: date, end: date
) -> list[WorkerIndicators]:
    """Per grid worker of the caller's scope, best patrol compliance first."""
    workers = session.execute(
        select(User.id, User.username, User.region_code)
        .where(User.role == Role.GRID_WORKER, User.active.is_(True))
        .where(scope_clause(principal, grid_code=cast(ColumnElement[str], User.region_code)))
        .order_by(User.id)
    ).all()
    if not workers:
        return []
    calendar = current_calendar(session)
    duty = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    duty = [d for d in duty if calendar.is_workday(d)]
    required = int(rule_book_for(session, start)[1].patrol_min_hours * 3600)
    seconds: dict[tuple[int, str, date], int] = defaultdict(int)
    for user_id, grid_code, day, inside in session.execute(
        select(Patrol.user_id, Patrol.grid_code, Patrol.day, func.sum(Patrol.seconds_inside))
        .where(Patrol.day >= start, Patrol.day <= end)
        .where(Patrol.user_id.in_([w[0] for w in workers]))
        .group_by(Patrol.user_id, Patrol.grid_code, Patrol.day)
    ):
        seconds[(int(user_id), str(grid_code), day)] += int(inside or 0)
    since, until = day_window(start)[0], day_window(end)[1]
    grid_of_case = grid_then(until)
    verify = dict(
        (str(grid), (int(total), int(on_time)))
        for grid, total, on_time in session.execute(
            select(
                grid_of_case,
                func.count(),
                func.coalesce(func.sum(case((CaseStep.on_time.is_(True), 1), else_=0)), 0),
            )
            .join(Case, Case.id == CaseStep.case_id)
            .where(CaseStep.step == "verify", CaseStep.finished_at >= since)
            .where(CaseStep.finished_at < until)
            .where(grid_of_case.in_([str(w[2]) for w in workers]))
            .group_by(grid_of_case)
        )
    )
    found = []
    for user_id, username, grid in workers:
        total, on_time = verify.get(str(grid), (0, 0))
        compliant = sum(1 for d in duty if seconds.get((user_id, str(grid), d), 0) >= required)
        found.append(
            WorkerIndicators(user_id, username, str(grid), total, on_time, len(duty), compliant)
        )
    found.sort(key=lambda w: (-(w.patrol_compliance or 0.0), w.user_id))
    return [WorkerIndicators(**{**w.__dict__, "rank": i + 1}) for i, w in enumerate(found)]
