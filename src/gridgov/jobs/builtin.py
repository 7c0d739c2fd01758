"""The periodic work of the base domains (cases, tasks, trail, population statistics).

Declared here rather than in each domain because these domains were built before the scheduler;
a new capability declares its jobs in its own ``jobs.py`` and lists it in
``registry.JOB_MODULES``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.audit.chain import seal
from gridgov.authz.principal import Principal
from gridgov.jobs.registry import CITY_TZ, daily, every, scheduled
from gridgov.lifecycle import jobs as lifecycle_jobs
from gridgov.models.case import Case
from gridgov.models.job import DeadlineFlag, JobRun
from gridgov.models.lifecycle import ProxyService
from gridgov.models.task import Task
from gridgov.people.stats import refresh_grid_stats

# Tasks and proxy services carry only a due date: warned at the same share of their time as cases.
TASK_WARN_SHARE = 0.7
OPEN_TASK_STATES = ("open", "accepted")
OPEN_PROXY_STATES = ("open", "handed_over")
RUN_HISTORY = timedelta(days=90)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@scheduled("audit.seal", every(minutes=5), "封存留痕哈希链", "seal the audit trail")
def seal_trail(session: Session, principal: Principal, now: datetime) -> int:
    """Commits poke the background sealer at once; this run seals whatever a crashed process
    left behind, so the chain never stays open for long."""
    return seal(session.connection())


@scheduled("stats.refresh", daily(hour=1, minute=0), "刷新网格人口统计", "refresh grid statistics")
def refresh_stats(session: Session, principal: Principal, now: datetime) -> int:
    # People turn 60 without any write: the counts are recomputed every night.
    return refresh_grid_stats(session, today=now.astimezone(CITY_TZ).date())


@scheduled(
    "deadlines.flag",
    every(minutes=5),
    "案件、任务与代办服务的预警、超期标记",
    "warning and overdue flags of cases, tasks and proxy services",
)
def flag_deadlines(session: Session, principal: Principal, now: datetime) -> int:
    """Raise each crossed deadline once: warning at 70 % of the allowed time, overdue at the
    deadline, for running case steps and open tasks. Each flag also goes to the trail."""
    flagged = _flagged_keys(session)
    new: list[DeadlineFlag] = []
    cases = session.execute(
        select(
            Case.id,
            Case.step,
            Case.step_started_at,
            Case.step_warn_at,
            Case.step_due_at,
            Case.grid_code,
            Case.department_code,
        ).where(Case.step.is_not(None), Case.step_warn_at <= now)
    ).all()
    for row in cases:
        started, due = _aware(row.step_started_at), _aware(row.step_due_at)
        kinds = ["warning"] + (["overdue"] if due is not None and due <= now else [])
        for kind in kinds:
            key = ("case", row.id, row.step, started, kind)
            if key not in flagged:
                new.append(
                    DeadlineFlag(
                        object_type="case",
                        object_id=row.id,
                        step=row.step,
                        step_started_at=started,
                        kind=kind,
                        due_at=due,
                        grid_code=row.grid_code,
                        department_code=row.department_code,
                        flagged_at=now,
                    )
                )
    due_items = [
        ("task", row.id, row.created_at, row.due_at, row.grid_code, None)
        for row in session.execute(
            select(Task.id, Task.created_at, Task.due_at, Task.grid_code).where(
                Task.state.in_(OPEN_TASK_STATES), Task.due_at.is_not(None)
            )
        )
    ] + [
        ("proxy", row.id, row.created_at, row.due_at, row.grid_code, row.department_code)
        for row in session.execute(
            select(
                ProxyService.id,
                ProxyService.created_at,
                ProxyService.due_at,
                ProxyService.grid_code,
                ProxyService.department_code,
            ).where(ProxyService.state.in_(OPEN_PROXY_STATES))
        )
    ]
    for object_type, object_id, created_at, due_at, grid_code, department in due_items:
        created, due = _aware(created_at), _aware(due_at)
        assert created is not None and due is not None
        warn = created + (due - created) * TASK_WARN_SHARE
        for kind, moment in (("warning", warn), ("overdue", due)):
            key = (object_type, object_id, object_type, created, kind)
            if moment <= now and key not in flagged:
                new.append(
                    DeadlineFlag(
                        object_type=object_type,
                        object_id=object_id,
                        step=object_type,
                        step_started_at=created,
                        kind=kind,
                        due_at=due,
                        grid_code=grid_code,
                        department_code=department,
                        flagged_at=now,
                    )
                )
    session.add_all(new)
    for flag in new:
        trail.record(
            session,
            action=f"{flag.object_type}.deadline.{flag.kind}",
            object_type=flag.object_type,
            object_id=flag.object_id,
            principal=principal,
            after={"step": flag.step, "due_at": flag.due_at.isoformat() if flag.due_at else None},
        )
    return len(new)


def _flagged_keys(session: Session) -> set[tuple[str, int, str, datetime | None, str]]:
    """Flags already raised for the steps still running, the tasks and proxy services still open
    (a join, so the history of closed cases is never read)."""
    columns = (
        DeadlineFlag.object_type,
        DeadlineFlag.object_id,
        DeadlineFlag.step,
        DeadlineFlag.step_started_at,
        DeadlineFlag.kind,
    )
    on_cases = (
        select(*columns)
        .join(Case, Case.id == DeadlineFlag.object_id)
        .where(DeadlineFlag.object_type == "case", Case.step.is_not(None))
    )
    on_tasks = (
        select(*columns)
        .join(Task, Task.id == DeadlineFlag.object_id)
        .where(DeadlineFlag.object_type == "task", Task.state.in_(OPEN_TASK_STATES))
    )
    on_proxies = (
        select(*columns)
        .join(ProxyService, ProxyService.id == DeadlineFlag.object_id)
        .where(DeadlineFlag.object_type == "proxy", ProxyService.state.in_(OPEN_PROXY_STATES))
    )
    rows = [*session.execute(on_cases), *session.execute(on_tasks), *session.execute(on_proxies)]
    return {(r[0], r[1], r[2], _aware(r[3]), r[4]) for r in rows}


@scheduled(
    "lifecycle.computed_events",
    daily(hour=0, minute=30),
    "生命周期计算事件：年满60/80岁、居住证到期提醒、16岁未办身份证",
    "computed life events: turning 60/80, permits expiring, 16 without an ID card",
)
def computed_life_events(session: Session, principal: Principal, now: datetime) -> int:
    # The life-cycle rules turn each event into tasks and reminders (lifecycle.jobs looks back a
    # week and skips events already received, so a caught-up run is harmless).
    today = now.astimezone(CITY_TZ).date()
    return sum(lifecycle_jobs.run_all(session, principal, today).values())


@scheduled(
    "jobs.prune",
    daily(hour=3, minute=30),
    "清理 90 天前的运行记录",
    "prune run history older than 90 days",
)
def prune_runs(session: Session, principal: Principal, now: datetime) -> int:
    result = session.execute(delete(JobRun).where(JobRun.started_at < now - RUN_HISTORY))
    return int(result.rowcount)  # type: ignore[attr-defined]
