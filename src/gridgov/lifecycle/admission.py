"""The admission registry (准入): which task types may be assigned to grid workers, and how much
admitted work each worker carries against the duty hours.

:func:`ensure_admitted` is called by :func:`gridgov.tasks.service.create`; a type that is not
admitted, has expired or was withdrawn is refused with its name.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.cases.categories import reference
from gridgov.evaluation import service as evaluation
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, NotFound
from gridgov.lifecycle.schemas import AdmissionBody
from gridgov.models.lifecycle_admission import AdmittedTaskType, DiversionReport
from gridgov.models.task import Task
from gridgov.models.user import User
from gridgov.workcal.calendar import CST, MINUTES_PER_WORKING_DAY
from gridgov.workcal.service import current_calendar


class NotAdmitted(BadRequest):
    code = "task_type_not_admitted"


def local_today() -> date:
    return utcnow().astimezone(CST).date()


def _in_force(today: date) -> Any:
    return and_(
        AdmittedTaskType.withdrawn_at.is_(None),
        AdmittedTaskType.admitted_on <= today,
        or_(AdmittedTaskType.expires_on.is_(None), AdmittedTaskType.expires_on >= today),
    )


# Admissions looked up in this transaction (a batch of events asks for the same few kinds
# thousands of times); admitting or withdrawing clears it.
_CACHE = "lifecycle.admissions"


def admission_of(session: Session, kind: str, today: date | None = None) -> AdmittedTaskType | None:
    """The admission in force for ``kind`` today, or None."""
    today = today or local_today()
    cache = session.info.setdefault(_CACHE, {})
    if (kind, today) not in cache:
        cache[(kind, today)] = session.scalars(
            select(AdmittedTaskType).where(AdmittedTaskType.kind == kind, _in_force(today))
        ).first()
    found: AdmittedTaskType | None = cache[(kind, today)]
    return found


def ensure_admitted(session: Session, kind: str) -> AdmittedTaskType:
    admission = admission_of(session, kind)
    if admission is None:
        raise NotAdmitted(
            f"任务类型「{kind}」未经准入，不能派给网格员",
            f"Task type {kind!r} is not admitted: it cannot be assigned to grid workers",
            field="kind",
        )
    return admission


def references(session: Session, kinds: set[str]) -> dict[str, tuple[str, str]]:
    """kind → (admission reference, the type's title) for the worker's phone."""
    if not kinds:
        return {}
    rows = session.execute(
        select(AdmittedTaskType.kind, AdmittedTaskType.reference, AdmittedTaskType.title).where(
            AdmittedTaskType.kind.in_(sorted(kinds))
        )
    )
    return {kind: (reference, title) for kind, reference, title in rows}


def list_admissions(session: Session) -> list[AdmittedTaskType]:
    return list(session.scalars(select(AdmittedTaskType).order_by(AdmittedTaskType.kind)))


def admit(session: Session, *, principal: Principal, body: AdmissionBody) -> AdmittedTaskType:
    """Admit a task type (or re-admit a withdrawn or expired one with the new terms)."""
    session.info.pop(_CACHE, None)
    row = session.scalars(
        select(AdmittedTaskType).where(AdmittedTaskType.kind == body.kind)
    ).first()
    before = None
    if row is None:
        row = AdmittedTaskType(kind=body.kind)
        session.add(row)
    else:
        if admission_of(session, body.kind) is not None:
            raise Conflict(f"任务类型「{body.kind}」已准入", f"{body.kind!r} is already admitted")
        before = {"reference": row.reference, "withdrawn_at": str(row.withdrawn_at)}
    row.title = body.title
    row.reference = body.reference
    row.legal_basis = body.legal_basis
    row.department_code = body.department_code
    row.frequency = body.frequency
    row.fields = list(body.fields)
    row.minutes_per_task = body.minutes_per_task
    row.admitted_on = local_today()
    row.expires_on = body.expires_on
    row.withdrawn_at = None
    row.withdrawn_reason = None
    session.flush()
    trail.record(
        session,
        action="admission.admit",
        object_type="admitted_task_type",
        object_id=row.id,
        principal=principal,
        before=before,
        after={"kind": row.kind, "reference": row.reference, "minutes": row.minutes_per_task},
    )
    return row


def withdraw(session: Session, *, principal: Principal, kind: str, reason: str) -> AdmittedTaskType:
    session.info.pop(_CACHE, None)
    row = admission_of(session, kind)
    session.info.pop(_CACHE, None)
    if row is None:
        raise NotFound(f"任务类型「{kind}」没有有效的准入", f"No admission in force for {kind!r}")
    row.withdrawn_at = utcnow()
    row.withdrawn_reason = reason[:200]
    trail.record(
        session,
        action="admission.withdraw",
        object_type="admitted_task_type",
        object_id=row.id,
        principal=principal,
        note=reason[:200],
    )
    return row


# -- the worker's load ---------------------------------------------------------------------------
def month_bounds(month: str) -> tuple[date, date]:
    """``"2026-12"`` → (first day, first day of the next month)."""
    try:
        first = datetime.strptime(month + "-01", "%Y-%m-%d").date()
    except ValueError as exc:
        raise BadRequest("月份格式应为 YYYY-MM", "month must be YYYY-MM", field="month") from exc
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following


def _utc_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), CST)


def workload(session: Session, *, principal: Principal, month: str) -> list[dict[str, Any]]:
    """Per grid worker in the caller's area: admitted tasks and their minutes in the month, the
    duty minutes of the month's working days, and the minutes reported as diverted."""
    first, following = month_bounds(month)
    start, end = _utc_start(first), _utc_start(following)
    working_days = len(current_calendar(session).working_days(first, following - timedelta(1)))
    duty_minutes = working_days * MINUTES_PER_WORKING_DAY
    workers = list(
        session.execute(
            select(User.id, User.username, User.display_name, User.region_code)
            .where(
                User.role == Role.GRID_WORKER,
                User.active.is_(True),
                scope_clause(principal, grid_code=func.coalesce(User.region_code, "")),
            )
            .order_by(User.region_code, User.username)
            .limit(5000)
        )
    )
    grids = {w.region_code for w in workers if w.region_code}
    load: dict[tuple[str, int | None], tuple[int, int]] = {}
    if grids:
        rows = session.execute(
            select(
                Task.grid_code,
                Task.assignee_user_id,
                func.count(Task.id),
                func.coalesce(func.sum(AdmittedTaskType.minutes_per_task), 0),
            )
            .join(AdmittedTaskType, AdmittedTaskType.kind == Task.kind)
            .where(
                Task.grid_code.in_(sorted(grids)),
                Task.created_at >= start,
                Task.created_at < end,
                Task.state != "cancelled",
            )
            .group_by(Task.grid_code, Task.assignee_user_id)
        )
        for grid_code, assignee, count, minutes in rows:
            load[(grid_code, assignee)] = (int(count), int(minutes))
    diverted = dict(
        session.execute(
            select(DiversionReport.user_id, func.sum(DiversionReport.minutes))
            .where(DiversionReport.day >= first, DiversionReport.day < following)
            .group_by(DiversionReport.user_id)
        ).all()
    )
    out = []
    for worker in workers:
        grid = worker.region_code or ""
        # Unassigned tasks belong to whoever is the grid's worker.
        own = load.get((grid, worker.id), (0, 0))
        unassigned = load.get((grid, None), (0, 0))
        tasks, minutes = own[0] + unassigned[0], own[1] + unassigned[1]
        out.append(
            {
                "user_id": worker.id,
                "username": worker.username,
                "name": worker.display_name or worker.username,
                "grid_code": grid,
                "tasks": tasks,
                "minutes": minutes,
                "duty_minutes": duty_minutes,
                "share": round(minutes / duty_minutes, 3) if duty_minutes else 0.0,
                "diverted_minutes": int(diverted.get(worker.id) or 0),
            }
        )
    return out


def report_diversion(
    session: Session,
    *,
    principal: Principal,
    day: date,
    minutes: int,
    description: str,
    requested_by: str = "",
    department_code: str | None = None,
) -> DiversionReport:
    """A worker's report of duties outside the system; it goes to the admission office and is
    counted in the worker's favour (the diverted minutes count as patrol time of that day; a day
    already scored is scored again). When the work came from
    one of the city's departments (``department_code``), the evaluation's ``work_diverted``
    deducts from that department."""
    if principal.role != Role.GRID_WORKER or not principal.region_code:
        raise BadRequest("只有网格员可以报告被抽调", "Only grid workers report diversions")
    if day > local_today() or not 1 <= minutes <= 24 * 60:
        raise BadRequest("日期或时长无效", "Invalid day or minutes", field="minutes")
    if department_code:
        departments = reference(session).departments
        if department_code not in departments:
            raise BadRequest("没有这个部门", "Unknown department", field="department_code")
        requested_by = requested_by.strip() or departments[department_code][0]
    if not requested_by.strip():
        raise BadRequest("请填写抽调单位", "Name who diverted you", field="requested_by")
    report = DiversionReport(
        user_id=principal.user_id,
        grid_code=principal.region_code,
        day=day,
        minutes=minutes,
        requested_by=requested_by[:100],
        department_code=department_code or None,
        description=description[:500],
    )
    session.add(report)
    session.flush()
    trail.record(
        session,
        action="admission.diversion_report",
        object_type="diversion_report",
        object_id=report.id,
        principal=principal,
        after={
            "day": day.isoformat(),
            "minutes": minutes,
            "requested_by": requested_by[:100],
            "department_code": department_code or None,
        },
    )
    if day < local_today():
        # The night's scoring of that day may have counted a short patrol: score it again.
        evaluation.score_day(session, principal=system_principal("admission.diversion"), day=day)
    return report


def list_diversions(session: Session, *, principal: Principal, month: str) -> list[DiversionReport]:
    first, following = month_bounds(month)
    statement = select(DiversionReport).where(
        DiversionReport.day >= first,
        DiversionReport.day < following,
        scope_clause(principal, grid_code=DiversionReport.grid_code),
    )
    if principal.role == Role.GRID_WORKER:
        statement = statement.where(DiversionReport.user_id == principal.user_id)
    return list(session.scalars(statement.order_by(DiversionReport.day.desc()).limit(1000)))
