"""Filling the dashboard's pre-aggregated tables from the cases.

* ``dashboard_channel_days`` (day × street × channel) and ``dashboard_department_days`` (day ×
  street × department): every complete local day (Asia/Shanghai) is counted once — what was
  reported and closed on a finished day never changes — so a refresh only adds the days since
  the last one. Today is always counted live (gridgov.dashboard.repository).
* ``dashboard_open_cases``: the open and overdue cases per grid and department, a snapshot
  rebuilt whole (about half a second of CPU at 1 M cases) by the job every 2 minutes, or by
  a request when older than :data:`OPEN_MAX_AGE`.

Both run from the ``gridgov ledgers refresh`` command, the scheduler and, when stale, the first
dashboard request that needs them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session

from gridgov.cases.states import State
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case, CaseStep
from gridgov.models.dashboard import (
    DashboardChannelDay,
    DashboardDepartmentDay,
    DashboardOpenCases,
    DashboardRefresh,
)
from gridgov.workcal.calendar import CST

CASE_DAYS = "case_days"
OPEN_CASES = "open_cases"
# The scheduler rebuilds the snapshot every 2 minutes; a request rebuilds it only when it is
# older than this (no scheduler running), so a request never races the job for it.
OPEN_MAX_AGE = timedelta(minutes=10)
# A case is open until it is closed, cancelled or merged into another.
FINISHED_STATES = (State.CLOSED.value, State.CANCELLED.value, State.MERGED.value)
STREET_CODE_LENGTH = 9


def local_today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(CST).date()


def day_start(day: date) -> datetime:
    """The instant (UTC) a local day starts."""
    return datetime.combine(day, time(0), CST).astimezone(UTC)


def local_day(session: Session, column: Any) -> ColumnElement[date]:
    """The local calendar day of a stored instant, in SQL (China has no daylight saving)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "+8 hours")
    return cast(func.timezone("Asia/Shanghai", column), Date)


def on_time_clause() -> ColumnElement[bool]:
    """A closed case is on time when none of its step clocks ran late."""
    late = exists().where(CaseStep.case_id == Case.id, CaseStep.on_time.is_(False))
    return ~late


def _refresh_row(session: Session, name: str) -> DashboardRefresh | None:
    stmt = select(DashboardRefresh).where(DashboardRefresh.name == name)
    if session.get_bind().dialect.name != "sqlite":
        # Two servers noticing a stale aggregate at once: the second waits, then sees it fresh.
        stmt = stmt.with_for_update()
    return session.scalar(stmt)


def _mark(session: Session, name: str, now: datetime, through: date | None = None) -> None:
    row = session.get(DashboardRefresh, name)
    if row is None:
        session.add(DashboardRefresh(name=name, refreshed_at=now, through_day=through))
    else:
        row.refreshed_at = now
        row.through_day = through
    session.flush()


def refresh_case_days(session: Session, *, now: datetime | None = None) -> int:
    """Count every complete day not counted yet (through yesterday); returns the rows written."""
    now = now or utcnow()
    yesterday = local_today(now) - timedelta(days=1)
    row = _refresh_row(session, CASE_DAYS)
    if row is not None and row.through_day is not None and row.through_day >= yesterday:
        return 0
    if row is not None and row.through_day is not None:
        first = row.through_day + timedelta(days=1)
    else:
        earliest = session.scalar(select(func.min(Case.reported_at)))
        if earliest is None:
            _mark(session, CASE_DAYS, now, yesterday)
            return 0
        first = local_today(earliest)
    start, end = day_start(first), day_start(yesterday + timedelta(days=1))
    counts: dict[tuple[date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for key, reported in _grouped(session, Case.reported_at, start, end, func.count()):
        counts[key][0] += reported
    closed_sum = (func.count(), func.sum(case((on_time_clause(), 1), else_=0)))
    closed_rows = _grouped(
        session,
        Case.closed_at,
        start,
        end,
        *closed_sum,
        # An expression, not the indexed column: the planner keeps to the closed_at range.
        extra=func.coalesce(Case.state, "") == State.CLOSED.value,
    )
    for key, closed, on_time in closed_rows:
        counts[key][1] += closed
        counts[key][2] += int(on_time or 0)
    # The two tables the charts read, each summed down from the finest key.
    channels: dict[tuple[date, str, str], int] = defaultdict(int)
    departments: dict[tuple[date, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (day, street, channel, department), (reported, closed, on_time) in counts.items():
        channels[(day, street, channel)] += reported
        total = departments[(day, street, department)]
        total[0] += reported
        total[1] += closed
        total[2] += on_time
    channel_rows = [
        {"day": day, "street_code": street, "channel": channel, "reported": reported}
        for (day, street, channel), reported in channels.items()
        if reported
    ]
    department_rows = [
        {
            "day": day,
            "street_code": street,
            "department_code": department,
            "reported": values[0],
            "closed": values[1],
            "closed_on_time": values[2],
        }
        for (day, street, department), values in departments.items()
    ]
    for model, rows in (
        (DashboardChannelDay, channel_rows),
        (DashboardDepartmentDay, department_rows),
    ):
        session.execute(delete(model).where(model.day >= first))
        for offset in range(0, len(rows), 5000):
            session.execute(insert(model), rows[offset : offset + 5000])
    _mark(session, CASE_DAYS, now, yesterday)
    return len(channel_rows) + len(department_rows)


def _grouped(
    session: Session,
    column: Any,
    start: datetime,
    end: datetime,
    *measures: ColumnElement[int],
    extra: ColumnElement[bool] | None = None,
) -> list[tuple]:
    """Rows ((day, street, channel, department), *measures) of the cases whose ``column``
    falls in [start, end)."""
    day = local_day(session, column)
    street = func.coalesce(func.substr(Case.grid_code, 1, STREET_CODE_LENGTH), literal(""))
    department = func.coalesce(Case.department_code, literal(""))
    where = and_(column >= start, column < end)
    if extra is not None:
        where = and_(where, extra)
    stmt = (
        select(day, street, Case.channel, department, *measures)
        .where(where)
        .group_by(day, street, Case.channel, department)
    )
    result = []
    for row in session.execute(stmt):
        key_day = row[0] if isinstance(row[0], date) else date.fromisoformat(row[0])
        result.append(((key_day, row[1], row[2], row[3]), *row[4:]))
    return result


def refresh_open_cases(
    session: Session, *, now: datetime | None = None, force: bool = True
) -> int | None:
    """Rebuild the open-case snapshot; with ``force=False`` only when older than
    :data:`OPEN_MAX_AGE`. Returns the rows written, or None when it was fresh."""
    now = now or utcnow()
    row = _refresh_row(session, OPEN_CASES)
    if not force and row is not None and aware(row.refreshed_at) > now - OPEN_MAX_AGE:
        return None
    overdue = func.sum(case((Case.step_due_at < now, 1), else_=0))
    grid = func.coalesce(Case.grid_code, literal(""))
    department = func.coalesce(Case.department_code, literal(""))
    stmt = (
        select(grid, department, func.count(), overdue)
        .where(Case.state.not_in(FINISHED_STATES))
        .group_by(grid, department)
    )
    rows = [
        {
            "grid_code": grid_code,
            "department_code": department_code,
            "open_cases": int(n),
            "overdue_cases": int(late or 0),
        }
        for grid_code, department_code, n, late in session.execute(stmt)
    ]
    session.execute(delete(DashboardOpenCases))
    for offset in range(0, len(rows), 5000):
        session.execute(insert(DashboardOpenCases), rows[offset : offset + 5000])
    _mark(session, OPEN_CASES, now)
    return len(rows)


def ensure_fresh(session: Session, *, now: datetime | None = None) -> None:
    """What a dashboard read calls first: add missing days, renew a stale snapshot."""
    now = now or utcnow()
    refresh_case_days(session, now=now)
    refresh_open_cases(session, now=now, force=False)


def snapshot_time(session: Session) -> datetime | None:
    row = session.get(DashboardRefresh, OPEN_CASES)
    return None if row is None else aware(row.refreshed_at)


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
