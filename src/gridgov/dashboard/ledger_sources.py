"""The rows of each ledger, read in the caller's scope and streamed (``yield_per``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session, aliased

from gridgov.authz.policy import city_wide, scope_clause
from gridgov.authz.principal import Principal
from gridgov.dashboard import aggregates
from gridgov.dashboard.repository import in_region
from gridgov.evaluation.repository import point_scope
from gridgov.evaluation.service import rule_book_for
from gridgov.kit.clock import utcnow
from gridgov.lifecycle import proxy
from gridgov.lifecycle import vocabulary as _lifecycle_words  # noqa: F401  (the states' words)
from gridgov.models import Region
from gridgov.models.case import Case
from gridgov.models.department import Department
from gridgov.models.evaluation import EvaluationPoint as P
from gridgov.models.lifecycle import ProxyService
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.population_stats import GridPopulationStats
from gridgov.models.region import BASE_LAYER
from gridgov.models.user import User
from gridgov.people.tags import SPECIAL_GROUP_TAGS, TAGS
from gridgov.web import i18n

CITY_UNIT = "全市"
PATROL_DUTY_SECONDS = 3 * 3600
STREAM = {"yield_per": 2000}


def unit_name(session: Session, *, principal: Principal, region: str) -> str | None:
    """The name of the region a ledger covers, None when unknown or outside the caller's scope.

    The whole city is a unit only for those who see the whole city."""
    if not region:
        return CITY_UNIT if city_wide(principal) else None
    stmt = select(Region.name).where(
        Region.code == region,
        Region.layer == BASE_LAYER,
        scope_clause(principal, grid_code=Region.code),
    )
    return session.scalar(stmt)


def population_rows(session: Session, *, principal: Principal, region: str) -> Iterator[list[Any]]:
    g = GridPopulationStats
    district, street, community, grid = (aliased(Region) for _ in range(4))
    stmt = (
        select(
            district.name,
            street.name,
            community.name,
            g.grid_code,
            grid.name,
            g.households,
            g.persons,
            g.registered,
            g.floating,
            g.foreign,
            g.elderly,
            g.elderly_alone,
            g.special_groups,
            g.houses,
            g.organisations,
        )
        .join(grid, grid.code == g.grid_code)
        .outerjoin(district, district.code == func.substr(g.grid_code, 1, 6))
        .outerjoin(street, street.code == func.substr(g.grid_code, 1, 9))
        .outerjoin(community, community.code == func.substr(g.grid_code, 1, 12))
        .where(in_region(g.grid_code, region), scope_clause(principal, grid_code=g.grid_code))
        .order_by(g.grid_code)
        .execution_options(**STREAM)
    )
    for row in session.execute(stmt):
        yield list(row)


def special_population_rows(
    session: Session, *, principal: Principal, region: str
) -> Iterator[list[Any]]:
    p = Person
    special = or_(*[p.tag_codes.like(f"%,{code},%") for code in SPECIAL_GROUP_TAGS])
    stmt = (
        select(
            p.grid_code,
            p.name,
            p.sex,
            p.birth_date,
            p.id_number_masked,
            p.tag_codes,
            p.current_address,
        )
        .where(
            special,
            p.living_status == "alive",
            in_region(p.grid_code, region),
            scope_clause(principal, grid_code=p.grid_code, category="person"),
        )
        .order_by(p.grid_code, p.name)
        .execution_options(**STREAM)
    )
    for grid, name, sex, birth, id_masked, codes, address in session.execute(stmt):
        labels = [TAGS[c][0] for c in codes.strip(",").split(",") if c in SPECIAL_GROUP_TAGS]
        yield [grid, name, "男" if sex == "M" else "女", birth.isoformat(), id_masked,
               "、".join(labels), address]  # fmt: skip


def case_rows(
    session: Session, *, principal: Principal, region: str, start: date, end: date
) -> Iterator[list[Any]]:
    """Per responsible department: reported and closed in the period, on time, rework and
    extensions of those closed, and what is open and overdue now."""
    since, until = aggregates.day_start(start), aggregates.day_start(end + timedelta(days=1))
    scope = [in_region(Case.grid_code, region), scope_clause(principal, grid_code=Case.grid_code)]
    department = func.coalesce(Case.department_code, "")
    reported = dict(
        session.execute(
            select(department, func.count())
            .where(Case.reported_at >= since, Case.reported_at < until, *scope)
            .group_by(department)
        ).all()
    )
    on_time = func.sum(case((aggregates.on_time_clause(), 1), else_=0))
    closed = {
        code: (int(n), int(t or 0), int(r or 0), int(x or 0))
        for code, n, t, r, x in session.execute(
            select(
                department,
                func.count(),
                on_time,
                func.sum(case((Case.rework_count > 0, 1), else_=0)),
                func.sum(case((Case.extension_count > 0, 1), else_=0)),
            )
            .where(Case.closed_at >= since, Case.closed_at < until, Case.state == "closed", *scope)
            .group_by(department)
        )
    }
    now = utcnow()
    open_now = {
        code: (int(n), int(late or 0))
        for code, n, late in session.execute(
            select(department, func.count(), func.sum(case((Case.step_due_at < now, 1), else_=0)))
            .where(Case.state.not_in(aggregates.FINISHED_STATES), *scope)
            .group_by(department)
        )
    }
    names = dict(session.execute(select(Department.code, Department.name)).all())
    names[""] = "未派遣"
    for code in sorted(set(reported) | set(closed) | set(open_now), key=lambda c: (c == "", c)):
        n_reported = int(reported.get(code, 0))
        n_closed, n_on_time, rework, extended = closed.get(code, (0, 0, 0, 0))
        n_open, n_overdue = open_now.get(code, (0, 0))
        yield [
            names.get(code, code), n_reported, n_closed, n_on_time,
            _percent(n_closed, n_reported), _percent(n_on_time, n_closed),
            rework, extended, n_open, n_overdue,
        ]  # fmt: skip


def patrol_rows(
    session: Session, *, principal: Principal, region: str, start: date, end: date
) -> Iterator[list[Any]]:
    """One row per worker, grid and day with patrols in the period."""
    worker = func.coalesce(User.display_name, User.username)
    stmt = (
        select(
            Patrol.grid_code,
            Region.name,
            worker,
            Patrol.day,
            func.count(),
            func.sum(Patrol.seconds_inside),
            func.sum(Patrol.distance_m),
        )
        .join(Region, Region.code == Patrol.grid_code)
        .join(User, User.id == Patrol.user_id)
        .where(
            Patrol.day >= start,
            Patrol.day <= end,
            in_region(Patrol.grid_code, region),
            scope_clause(principal, grid_code=Patrol.grid_code),
        )
        .group_by(Patrol.grid_code, Region.name, worker, Patrol.day)
        .order_by(Patrol.grid_code, Patrol.day)
        .execution_options(**STREAM)
    )
    for grid, grid_name, name, day, sessions, seconds, metres in session.execute(stmt):
        seconds = int(seconds or 0)
        yield [
            grid, grid_name, name, day.isoformat() if isinstance(day, date) else day, sessions,
            round(seconds / 3600, 2), round((metres or 0) / 1000, 2),
            "是" if seconds >= PATROL_DUTY_SECONDS else "否",
        ]  # fmt: skip


def score_rows(
    session: Session, *, principal: Principal, region: str, start: date, end: date
) -> Iterator[list[Any]]:
    """Departments, then grid workers, by their evaluation score over the period (rank 1 best).

    Points are read through the evaluation's own scope (gridgov.evaluation.repository) and the
    region's grids; a waived (appealed) point counts nothing."""
    base = rule_book_for(session, start)[1].base
    counted = func.sum(case((P.waived, 0.0), else_=P.points))
    deducted = func.sum(case((and_(P.points < 0, ~P.waived), P.points), else_=0.0))
    stmt = (
        select(P.subject_type, P.subject_id, deducted, counted, func.count())
        .where(P.day >= start, P.day <= end, point_scope(principal))
        .group_by(P.subject_type, P.subject_id)
    )
    if region:
        stmt = stmt.where(in_region(P.grid_code, region))
    rows = session.execute(stmt).all()
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    user_ids = [int(r[1]) for r in rows if r[0] == "person" and r[1].isdigit()]
    people = dict(
        session.execute(
            select(User.id, func.coalesce(User.display_name, User.username)).where(
                User.id.in_(user_ids)
            )
        ).all()
    )
    for subject_type, label in (("department", "部门"), ("person", "网格员")):
        ranked = sorted(
            (r for r in rows if r[0] == subject_type), key=lambda r: (-float(r[3] or 0), r[1])
        )
        rank, previous = 0, None
        for index, (_, subject, deductions, total, count) in enumerate(ranked, 1):
            # Equal scores share a rank (1, 1, 3), as on the evaluation pages.
            if total != previous:
                rank, previous = index, total
            name = (
                departments.get(subject, subject)
                if subject_type == "department"
                else people.get(int(subject), subject)
                if subject.isdigit()
                else subject
            )
            credits = float(total or 0) - float(deductions or 0)
            yield [label, name, base, round(float(deductions or 0), 2), round(credits, 2),
                   round(base + float(total or 0), 2), count, rank]  # fmt: skip


def proxy_rows(
    session: Session, *, principal: Principal, region: str, start: date, end: date
) -> Iterator[list[Any]]:
    """Every proxy service (代办) active in the period — opened before its end and not closed
    before its start — with the resident (masked ID), the handling department, the dates, the
    state and whether the deadline was (or is being) missed. Services are read in the caller's
    scope; the resident's name only where the caller may read the person."""
    since, until = aggregates.day_start(start), aggregates.day_start(end + timedelta(days=1))
    s = ProxyService
    stmt = (
        select(
            s.grid_code, Region.name, s.service_code, Person.name, Person.id_number_masked,
            s.department_code, s.created_at, s.due_at, s.handed_over_at, s.closed_at, s.state,
            s.result,
        )
        .join(Region, Region.code == s.grid_code)
        .outerjoin(
            Person,
            and_(
                Person.id == s.person_id,
                scope_clause(principal, grid_code=Person.grid_code, category="person"),
            ),
        )
        .where(
            s.created_at < until,
            or_(s.closed_at.is_(None), s.closed_at >= since),
            in_region(s.grid_code, region),
            scope_clause(principal, grid_code=s.grid_code, department_code=s.department_code),
        )
        .order_by(s.grid_code, s.created_at, s.id)
        .execution_options(**STREAM)
    )  # fmt: skip
    services = proxy.catalogue(session)
    departments = dict(session.execute(select(Department.code, Department.name)).all())
    now = utcnow()
    for (grid, grid_name, code, name, id_masked, department, opened, due, handed, closed,
         state, result) in session.execute(stmt):  # fmt: skip
        kind = services.get(code)
        yield [
            grid, grid_name, kind.title if kind else code, name, id_masked,
            departments.get(department, department), _local(opened), _local(due),
            _local(handed), _local(closed), i18n.label("zh-CN", "lifecycle.state", state),
            _late(state, due, closed, now), result,
        ]  # fmt: skip


def _local(moment: datetime | None) -> str | None:
    """A stored instant as the city's local date and time (minutes); an empty cell for none."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(aggregates.CST).strftime("%Y-%m-%d %H:%M")


def _late(state: str, due: datetime, closed: datetime | None, now: datetime) -> str:
    if state == "cancelled":
        return "—"
    due = due if due.tzinfo else due.replace(tzinfo=UTC)
    if closed is not None:
        closed = closed if closed.tzinfo else closed.replace(tzinfo=UTC)
        return "超期办结" if closed > due else "按期办结"
    return "已超期" if due < now else "在办"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "—"
