"""What one day's records earn: the points of the day, computed only from the records (case
steps and their clocks, the case timeline, patrols, proxy services, the workers' task refusals)
and the rules in force that day.

Deterministic: the same day scored twice gives the same points with the same keys (each key
names its cause). A step due on day D and not finished by the end of D is "not executed" on D;
when it is finished late, on day F, it is also "overdue" on F.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.evaluation.rules import RuleBook
from gridgov.models.case import Case, CaseEvent, CaseStep
from gridgov.models.lifecycle import ProxyService
from gridgov.models.lifecycle_admission import DiversionReport
from gridgov.models.patrol import Patrol
from gridgov.models.task import Task
from gridgov.models.user import User
from gridgov.workcal.service import current_calendar

CITY_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Found:
    """One point before it is stored."""

    event: str
    subject_type: str
    subject_id: str
    points: float
    object_type: str
    object_id: str
    at: datetime
    case_id: int | None = None
    grid_code: str | None = None
    department_code: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.event}:{self.object_type}:{self.object_id}:{self.subject_type}:{self.subject_id}"


def day_window(day: date) -> tuple[datetime, datetime]:
    """The day in the city's time zone, as a UTC interval [start, end)."""
    start = datetime.combine(day, time.min, CITY_TZ).astimezone(UTC)
    return start, start + timedelta(days=1)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    aware = _utc(moment)
    return aware.isoformat() if aware else None


def find_points(session: Session, day: date, book: RuleBook) -> list[Found]:
    found = [
        *_step_points(session, day, book),
        *_rework_points(session, day, book),
        *_patrol_points(session, day, book),
        *_proxy_points(session, day, book),
        *_diversion_points(session, day, book),
        *_refusal_points(session, day, book),
    ]
    return sorted(found, key=lambda f: f.key)


def _grid_workers(session: Session, grid_codes: set[str]) -> dict[str, int]:
    """The (lowest-id) active worker account of each grid."""
    if not grid_codes:
        return {}
    rows = session.execute(
        select(User.region_code, func.min(User.id))
        .where(User.role == Role.GRID_WORKER, User.active.is_(True))
        .where(User.region_code.in_(sorted(grid_codes)))
        .group_by(User.region_code)
    ).all()
    return {str(code): int(uid) for code, uid in rows}


def _step_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    start, end = day_window(day)
    # Steps due before the day whose grace ends in it.
    lookback = timedelta(
        hours=max(
            (r.grace_hours for r in book.rules.values() if "not_executed" in r.event), default=0
        )
    )
    rows = session.execute(
        select(CaseStep, Case.grid_code, Case.number)
        .join(Case, Case.id == CaseStep.case_id)
        .where(CaseStep.step.in_(("handle", "verify")), CaseStep.due_at.is_not(None))
        .where(
            ((CaseStep.finished_at >= start) & (CaseStep.finished_at < end))
            | ((CaseStep.due_at >= start - lookback) & (CaseStep.due_at < end))
        )
        .order_by(CaseStep.id)
    ).all()
    verifiers = _verifiers(session, [s.case_id for s, _, _ in rows if s.step == "verify"])
    workers = _grid_workers(session, {g for s, g, _ in rows if s.step == "verify" and g})
    for step, grid_code, number in rows:
        due, finished = _utc(step.due_at), _utc(step.finished_at)
        assert due is not None
        detail = {
            "case_number": number,
            "step": step.step,
            "started_at": _iso(step.started_at),
            "due_at": _iso(due),
            "finished_at": _iso(finished),
        }
        prefix = step.step
        if prefix == "handle":
            subject_type, subject_id = "department", step.department_code
        else:
            subject_type = "person"
            by = verifiers.get((step.case_id, finished)) if finished else None
            worker = by or (workers.get(grid_code) if grid_code else None)
            subject_id = str(worker) if worker else None
        if not subject_id:
            continue

        subject = (subject_type, str(subject_id))

        def point(event: str, at: datetime) -> Found | None:
            return _step_point(book, event, subject, step, grid_code, detail, at)  # noqa: B023

        grace = timedelta(hours=(book.rule(f"{prefix}_not_executed") or _NO_RULE).grace_hours)
        deadline = due + grace
        if start <= deadline < end and (finished is None or finished >= end):
            hit = point(f"{prefix}_not_executed", deadline)
            if hit:
                yield hit
        if finished is not None and start <= finished < end:
            late_event = "handle_overdue" if prefix == "handle" else "verify_late"
            late_grace = timedelta(hours=(book.rule(late_event) or _NO_RULE).grace_hours)
            if finished > due + late_grace:
                hit = point(late_event, finished)
            elif prefix == "handle":
                hit = point("handled_on_time", finished)
            else:
                hit = None
            if hit:
                yield hit


def _step_point(
    book: RuleBook,
    event: str,
    subject: tuple[str, str],
    step: CaseStep,
    grid_code: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> Found | None:
    rule = book.rule(event)
    if rule is None:
        return None
    value = rule.department if subject[0] == "department" else rule.person
    if not value:
        return None
    return Found(
        event=event,
        subject_type=subject[0],
        subject_id=subject[1],
        points=value,
        object_type="case_step",
        object_id=str(step.id),
        at=at,
        case_id=step.case_id,
        grid_code=grid_code,
        department_code=step.department_code,
        detail=detail,
    )


@dataclass(frozen=True)
class _NoRule:
    grace_hours: float = 0.0


_NO_RULE = _NoRule()


def _verifiers(session: Session, case_ids: list[int]) -> dict[tuple[int, datetime | None], int]:
    """Who verified: the actor of each case's verify move, by (case, moment)."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.at, CaseEvent.actor_user_id).where(
            CaseEvent.case_id.in_(sorted(set(case_ids))),
            CaseEvent.move == "verify",
            CaseEvent.actor_user_id.is_not(None),
        )
    ).all()
    return {(case_id, _utc(at)): int(actor or 0) for case_id, at, actor in rows}


def _rework_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    rule = book.rule("case_reworked")
    if rule is None or not rule.department:
        return
    start, end = day_window(day)
    rows = session.execute(
        select(CaseEvent, Case.department_code, Case.grid_code, Case.number)
        .join(Case, Case.id == CaseEvent.case_id)
        .where(CaseEvent.move == "rework", CaseEvent.at >= start, CaseEvent.at < end)
        .order_by(CaseEvent.id)
    ).all()
    for event, case_department, grid_code, number in rows:
        department = event.department_code or case_department
        if not department:
            continue
        yield Found(
            event="case_reworked",
            subject_type="department",
            subject_id=department,
            points=rule.department,
            object_type="case_event",
            object_id=str(event.id),
            at=_utc(event.at) or start,
            case_id=event.case_id,
            grid_code=grid_code,
            department_code=department,
            detail={"case_number": number, "at": _iso(event.at), "note": event.note},
        )


def _patrol_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    rule = book.rule("patrol_short")
    if rule is None or not rule.person or not current_calendar(session).is_workday(day):
        return
    workers = session.execute(
        select(User.id, User.region_code).where(
            User.role == Role.GRID_WORKER,
            User.active.is_(True),
            func.length(User.region_code) == 15,
        )
    ).all()
    seconds: dict[tuple[int, str], int] = defaultdict(int)
    for user_id, grid_code, inside in session.execute(
        select(Patrol.user_id, Patrol.grid_code, func.sum(Patrol.seconds_inside))
        .where(Patrol.day == day)
        .group_by(Patrol.user_id, Patrol.grid_code)
    ):
        seconds[(int(user_id), str(grid_code))] += int(inside or 0)
    # Time the worker reported being diverted to other duties (准入) counts in their favour;
    # the point of a day still short names the reports (the drill-down shows them).
    reports: dict[int, list[DiversionReport]] = defaultdict(list)
    for report in session.scalars(
        select(DiversionReport).where(DiversionReport.day == day).order_by(DiversionReport.id)
    ):
        reports[report.user_id].append(report)
    diverted = {user_id: sum(r.minutes for r in rows) for user_id, rows in reports.items()}
    required = int(book.patrol_min_hours * 3600)
    end_of_day = day_window(day)[1] - timedelta(seconds=1)
    for user_id, worker_grid in sorted(workers):
        done = seconds.get((int(user_id), str(worker_grid)), 0)
        away = diverted.get(int(user_id), 0)
        if done + away * 60 >= required:
            continue
        detail: dict[str, Any] = {"minutes_inside": done // 60, "required_minutes": required // 60}
        if away:
            detail["minutes_diverted"] = away
            detail["diversions"] = [
                {
                    "id": r.id,
                    "minutes": r.minutes,
                    "requested_by": r.requested_by,
                    "description": r.description,
                }
                for r in reports[int(user_id)]
            ]
        yield Found(
            event="patrol_short",
            subject_type="person",
            subject_id=str(user_id),
            points=rule.person,
            object_type="patrol_day",
            object_id=f"{user_id}:{day.isoformat()}",
            at=end_of_day,
            grid_code=worker_grid,
            detail=detail,
        )


def _proxy_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    """A proxy service (代办) due on the day (+ grace) and not done by its end: the grid's worker
    carries it."""
    rule = book.rule("proxy_late")
    if rule is None or not rule.person:
        return
    start, end = day_window(day)
    grace = timedelta(hours=rule.grace_hours)
    rows = session.execute(
        select(ProxyService)
        .where(ProxyService.due_at >= start - grace, ProxyService.due_at < end - grace)
        .where(ProxyService.state != "cancelled")
        .where(ProxyService.closed_at.is_(None) | (ProxyService.closed_at >= end))
        .order_by(ProxyService.id)
    ).scalars()
    services = list(rows)
    workers = _grid_workers(session, {s.grid_code for s in services})
    for service in services:
        worker = workers.get(service.grid_code)
        if worker is None:
            continue
        yield Found(
            event="proxy_late",
            subject_type="person",
            subject_id=str(worker),
            points=rule.person,
            object_type="proxy",
            object_id=str(service.id),
            at=(_utc(service.due_at) or start) + grace,
            grid_code=service.grid_code,
            department_code=service.department_code,
            detail={
                "service_code": service.service_code,
                "opened_at": _iso(service.created_at),
                "due_at": _iso(service.due_at),
                "finished_at": _iso(service.closed_at),
            },
        )


def _diversion_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    """A grid worker's report of being diverted to work that was not admitted (准入), received on
    the day: the department that diverted the worker loses the rule's points for every hour
    begun (90 minutes = 2 hours). Reports naming no department of the city count for nobody."""
    rule = book.rule("work_diverted")
    if rule is None or not rule.department:
        return
    start, end = day_window(day)
    reports = session.scalars(
        select(DiversionReport)
        .where(DiversionReport.created_at >= start, DiversionReport.created_at < end)
        .where(DiversionReport.department_code.is_not(None))
        .order_by(DiversionReport.id)
    )
    for report in reports:
        hours = -(-report.minutes // 60)
        yield Found(
            event="work_diverted",
            subject_type="department",
            subject_id=str(report.department_code),
            points=round(rule.department * hours, 2),
            object_type="diversion_report",
            object_id=str(report.id),
            at=_utc(report.created_at) or start,
            grid_code=report.grid_code,
            department_code=report.department_code,
            detail={
                "diverted_on": report.day.isoformat(),
                "minutes": report.minutes,
                "hours": hours,
                "worker_user_id": report.user_id,
                "description": report.description,
                "reported_at": _iso(report.created_at),
            },
        )


def unreasoned(reason: str | None, note: str | None) -> bool:
    """A refusal without a reason: no reason code and no note ("other" alone explains nothing)."""
    return not (note or "").strip() and reason in (None, "", "other")


def _refusal_points(session: Session, day: date, book: RuleBook) -> Iterator[Found]:
    """A task the worker refused on the day without any reason: the refusing worker carries it."""
    rule = book.rule("task_refused_unreasoned")
    if rule is None or not rule.person:
        return
    start, end = day_window(day)
    tasks = session.scalars(
        select(Task)
        .where(Task.refused_at >= start, Task.refused_at < end, Task.refused_by.is_not(None))
        .order_by(Task.id)
    )
    for task in tasks:
        if not unreasoned(task.refusal_reason, task.refusal_note):
            continue
        yield Found(
            event="task_refused_unreasoned",
            subject_type="person",
            subject_id=str(task.refused_by),
            points=rule.person,
            object_type="task",
            object_id=str(task.id),
            at=_utc(task.refused_at) or start,
            grid_code=task.grid_code,
            detail={
                "task_title": task.title,
                "task_kind": task.kind,
                "opened_at": _iso(task.created_at),
                "due_at": _iso(task.due_at),
                "refused_at": _iso(task.refused_at),
                "reason": task.refusal_reason,
            },
        )
