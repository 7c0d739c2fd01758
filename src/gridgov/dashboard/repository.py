"""Every query of the supervision dashboard. Each starts from the caller's scope
(:func:`gridgov.authz.policy.scope_clause` on the row's grid or street code) and, over the cases,
reads the pre-aggregated tables (gridgov.dashboard.aggregates) plus today's cases live."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.dashboard import aggregates
from gridgov.models import Assignment, Facility, Region, Staff
from gridgov.models.case import Case
from gridgov.models.dashboard import (
    DashboardChannelDay,
    DashboardDepartmentDay,
    DashboardOpenCases,
)
from gridgov.models.department import Department
from gridgov.models.patrol import Patrol
from gridgov.models.population_stats import GridPopulationStats
from gridgov.models.region import BASE_LAYER

POPULATION_INDICATORS = (
    "persons",
    "households",
    "floating",
    "elderly",
    "elderly_alone",
    "special_groups",
)
CASE_INDICATORS = ("open_cases", "overdue_cases")
INDICATORS = (*POPULATION_INDICATORS, "facilities", *CASE_INDICATORS)


def plain(column: Any) -> Any:
    """The column as an expression no index serves: keeps SQLite's planner on the narrow
    time-range index of a query (it would otherwise scan a channel or state index in order,
    1 M rows, to save a sort of a few thousand)."""
    return func.coalesce(column, "")


def in_region(column: Any, code: str | None) -> ColumnElement[bool]:
    """Rows of a region's subtree: its code prefixes theirs (an index range)."""
    if not code:
        return literal(True)
    return and_(column >= code, column < code + ":")


class DashboardRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scope(self, column: Any) -> ColumnElement[bool]:
        return scope_clause(self.principal, grid_code=column)

    # regions
    def region(self, code: str) -> Region | None:
        """A base-layer region the caller may see (outside the scope: not found)."""
        stmt = select(Region).where(
            Region.code == code, Region.layer == BASE_LAYER, self._scope(Region.code)
        )
        return self.session.scalar(stmt)

    def children(self, parent: str | None, length: int) -> list[tuple[str, str]]:
        """(code, name) of the regions one level below ``parent`` the caller may see."""
        stmt = (
            select(Region.code, Region.name)
            .where(
                Region.layer == BASE_LAYER,
                func.length(Region.code) == length,
                in_region(Region.code, parent),
                self._scope(Region.code),
            )
            .order_by(Region.code)
        )
        return [(code, name) for code, name in self.session.execute(stmt)]

    def names(self, codes: list[str]) -> dict[str, str]:
        if not codes:
            return {}
        stmt = select(Region.code, Region.name).where(Region.code.in_(codes))
        return dict(self.session.execute(stmt).all())

    # indicator per region
    def indicator_by_region(
        self, indicator: str, *, parent: str | None, length: int
    ) -> dict[str, int]:
        """The indicator summed per region of code length ``length`` under ``parent``."""
        if indicator in POPULATION_INDICATORS:
            column: Any = GridPopulationStats.grid_code
            measure: Any = func.sum(getattr(GridPopulationStats, indicator))
        elif indicator == "facilities":
            column, measure = Facility.grid_code, func.count()
        elif indicator in CASE_INDICATORS:
            column = DashboardOpenCases.grid_code
            measure = func.sum(getattr(DashboardOpenCases, indicator))
        else:
            raise ValueError(indicator)
        prefix = func.substr(column, 1, length)
        stmt = (
            select(prefix, measure)
            .where(in_region(column, parent), self._scope(column))
            .group_by(prefix)
        )
        return {code: int(value or 0) for code, value in self.session.execute(stmt)}

    def population_totals(self, region: str | None) -> dict[str, int]:
        g = GridPopulationStats
        columns = [func.coalesce(func.sum(getattr(g, name)), 0) for name in POPULATION_INDICATORS]
        stmt = select(func.count(), *columns).where(
            in_region(g.grid_code, region), self._scope(g.grid_code)
        )
        grids, *values = self.session.execute(stmt).one()
        return {
            "grids": int(grids),
            **dict(zip(POPULATION_INDICATORS, map(int, values), strict=True)),
        }

    def open_totals(self, region: str | None) -> tuple[int, int]:
        o = DashboardOpenCases
        stmt = select(
            func.coalesce(func.sum(o.open_cases), 0), func.coalesce(func.sum(o.overdue_cases), 0)
        ).where(in_region(o.grid_code, region), self._scope(o.grid_code))
        open_cases, overdue = self.session.execute(stmt).one()
        return int(open_cases), int(overdue)

    # cases over time
    def days(self, start: date, region: str | None) -> dict[str, Any]:
        """Per finished day since ``start``: reported per channel, closed, closed on time."""
        c, d = DashboardChannelDay, DashboardDepartmentDay
        by_channel = (
            select(c.day, c.channel, func.sum(c.reported))
            .where(c.day >= start, in_region(c.street_code, region), self._scope(c.street_code))
            .group_by(c.day, c.channel)
        )
        totals = (
            select(d.day, func.sum(d.reported), func.sum(d.closed), func.sum(d.closed_on_time))
            .where(d.day >= start, in_region(d.street_code, region), self._scope(d.street_code))
            .group_by(d.day)
        )
        return {
            "by_channel": [
                (_day(day), channel, int(n)) for day, channel, n in self._core(by_channel)
            ],
            "totals": [(_day(day), int(r), int(c), int(t)) for day, r, c, t in self._core(totals)],
        }

    def _core(self, statement: Any) -> Any:
        """Rows of a Core statement on the session's connection (no ORM result processing:
        thousands of plain tuples)."""
        return self.session.connection().execute(statement)

    def today(self, since: datetime, region: str | None) -> dict[str, Any]:
        """Today's cases, counted live: reported per channel, closed and closed on time."""
        channel = plain(Case.channel)
        reported = (
            select(channel, func.count())
            .where(Case.reported_at >= since, *self._case_where(region))
            .group_by(channel)
        )
        on_time = func.sum(case((aggregates.on_time_clause(), 1), else_=0))
        closed = select(func.count(), on_time).where(
            Case.closed_at >= since, plain(Case.state) == "closed", *self._case_where(region)
        )
        n_closed, n_on_time = self.session.execute(closed).one()
        return {
            "by_channel": {ch: int(n) for ch, n in self.session.execute(reported)},
            "closed": int(n_closed or 0),
            "closed_on_time": int(n_on_time or 0),
        }

    def closed_by_report_day(
        self, since: datetime, region: str | None
    ) -> list[tuple[date, int, int]]:
        """Per local day a case was reported on since ``since``: the cases reported that day and
        how many of them are closed now (live from the cases: a case closes after its day)."""
        day = aggregates.local_day(self.session, Case.reported_at)
        closed = func.sum(case((plain(Case.state) == "closed", 1), else_=0))
        stmt = (
            select(day, func.count(), closed)
            .where(Case.reported_at >= since, *self._case_where(region))
            .group_by(day)
        )
        return [(_day(d), int(n), int(c or 0)) for d, n, c in self._core(stmt)]

    def _case_where(self, region: str | None) -> list[ColumnElement[bool]]:
        # The region and scope as a filter on the rows of the time range, not a range of the
        # grid_code index (a district is 200 k cases; today is 3 k).
        grid = plain(Case.grid_code)
        return [in_region(grid, region), self._scope(grid)]

    def overdue_by_department(self, region: str | None) -> list[tuple[str, str, int, int]]:
        """(code, name, open, overdue) per department, most overdue first."""
        o = DashboardOpenCases
        overdue = func.sum(o.overdue_cases)
        stmt = (
            select(o.department_code, func.sum(o.open_cases), overdue)
            .where(in_region(o.grid_code, region), self._scope(o.grid_code))
            .group_by(o.department_code)
            .order_by(overdue.desc())
        )
        rows = self.session.execute(stmt).all()
        names = self.department_names()
        return [(code, names.get(code, code), int(n), int(late)) for code, n, late in rows]

    def department_closures(self, start: date, region: str | None) -> list[tuple[str, int, int]]:
        """(department, closed, closed on time) over the finished days since ``start``."""
        d = DashboardDepartmentDay
        stmt = (
            select(d.department_code, func.sum(d.closed), func.sum(d.closed_on_time))
            .where(d.day >= start, in_region(d.street_code, region), self._scope(d.street_code))
            .group_by(d.department_code)
        )
        return [(code, int(c), int(t)) for code, c, t in self._core(stmt)]

    def department_names(self) -> dict[str, str]:
        return dict(self.session.execute(select(Department.code, Department.name)).all())

    # map layers
    def facility_points(self, kind: str, region: str | None) -> list[tuple[int, float, float]]:
        """[id, lat, lng] of every facility of a kind (an index-only scan of
        ``ix_facilities_kind_point``; tens of thousands of rows, read as plain tuples)."""
        stmt = select(Facility.id, Facility.lat, Facility.lng).where(
            Facility.kind == kind,
            in_region(Facility.grid_code, region),
            self._scope(Facility.grid_code),
        )
        return [(i, lat, lng) for i, lat, lng in self._core(stmt)]

    def facility_version(self, kind: str) -> tuple[Any, ...]:
        """What changes when a facility of the kind is added, removed or edited (count, newest
        id, newest change), from the same index."""
        stmt = select(func.count(), func.max(Facility.id), func.max(Facility.updated_at)).where(
            Facility.kind == kind
        )
        return tuple(self._core(stmt).one())

    def facility_kinds(self) -> list[tuple[str, int]]:
        stmt = (
            select(Facility.kind, func.count())
            .where(self._scope(Facility.grid_code))
            .group_by(Facility.kind)
            .order_by(func.count().desc())
        )
        return [(kind, int(n)) for kind, n in self.session.execute(stmt)]

    def open_by_grid(self, region: str | None) -> list[tuple[str, float, float, int, int]]:
        """(grid, centre lat, centre lng, open, overdue): the open-case heat of the map."""
        o = DashboardOpenCases
        stmt = (
            select(
                o.grid_code,
                Region.center_lat,
                Region.center_lng,
                func.sum(o.open_cases),
                func.sum(o.overdue_cases),
            )
            .join(Region, Region.code == o.grid_code)
            .where(in_region(o.grid_code, region), self._scope(o.grid_code))
            .group_by(o.grid_code, Region.center_lat, Region.center_lng)
        )
        return [
            (g, lat, lng, int(n), int(late)) for g, lat, lng, n, late in self.session.execute(stmt)
        ]

    # one grid
    def grid_population(self, code: str) -> GridPopulationStats | None:
        return self.session.get(GridPopulationStats, code)

    def worker(self, region: Region) -> Staff | None:
        stmt = (
            select(Staff)
            .join(Assignment, Assignment.staff_id == Staff.id)
            .where(Assignment.region_id == region.id, Assignment.ended_at.is_(None))
        )
        return self.session.scalars(stmt).first()

    def patrols_on(self, code: str, day: date) -> list[tuple[int, bool, float]]:
        """(seconds inside the grid, still running, metres) of each patrol of the grid that day."""
        stmt = select(Patrol.seconds_inside, Patrol.ended_at.is_(None), Patrol.distance_m).where(
            Patrol.grid_code == code, Patrol.day == day
        )
        return [
            (int(s or 0), bool(running), float(m or 0))
            for s, running, m in self.session.execute(stmt)
        ]

    def open_cases(self, code: str, limit: int) -> list[Any]:
        """The grid's open cases, the nearest deadline first (only the columns the panel shows)."""
        stmt = (
            select(
                Case.id,
                Case.number,
                Case.state,
                Case.category_code,
                Case.description,
                Case.lat,
                Case.lng,
                Case.step_due_at,
            )
            .where(Case.grid_code == code, Case.state.not_in(aggregates.FINISHED_STATES))
            .order_by(Case.step_due_at.is_(None), Case.step_due_at)
            .limit(limit)
        )
        return list(self.session.execute(stmt))

    def open_case_counts(self, code: str, now: datetime) -> tuple[int, int]:
        overdue = func.sum(case((Case.step_due_at < now, 1), else_=0))
        stmt = select(func.count(), overdue).where(
            Case.grid_code == code, Case.state.not_in(aggregates.FINISHED_STATES)
        )
        n, late = self.session.execute(stmt).one()
        return int(n), int(late or 0)

    def facilities(self, code: str) -> list[Facility]:
        stmt = (
            select(Facility)
            .where(Facility.grid_code == code)
            .order_by(Facility.kind, Facility.code)
        )
        return list(self.session.scalars(stmt))


def _day(value: Any) -> date:
    """A DATE column's value (SQLite through a Core connection gives it as text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def since_days(today: date, days: int) -> date:
    return today - timedelta(days=days - 1)
