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
from gridgov.models.case import Case
from gridgov.models.job import DeadlineFlag, JobRun
from gridgov.models.task import Task
from gridgov.people.stats import refresh_grid_stats

# Tasks carry only a due date: they are warned at the same share of their time as cases.
TASK_WARN_SHARE = 0.7
OPEN_TASK_STATES = ("open", "accepted")
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
    "案件与任务的预警、超期标记",
    "warning and overdue flags of cases and tasks",
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
    tasks = session.execute(
        select(Task.id, Task.created_at, Task.due_at, Task.grid_code).where(
            Task.state.in_(OPEN_TASK_STATES), Task.due_at.is_not(None)
        )
    ).all()
    for task in tasks:
        created, due = _aware(task.created_at), _aware(task.due_at)
        assert created is not None and due is not None
        warn = created + (due - created) * TASK_WARN_SHARE
        for kind, moment in (("warning", warn), ("overdue", due)):
            if moment <= now and ("task", task.id, "task", created, kind) not in flagged:
                new.append(
                    DeadlineFlag(
                        object_type="task",
                        object_id=task.id,
                        step="task",
                        step_started_at=created,
                        kind=kind,
                        due_at=due,
                        grid_code=task.grid_code,
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
    """Flags already raised for the steps still running and the tasks still open (a join, so
    the history of closed cases is never read)."""
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
    rows = [*session.execute(on_cases), *session.execute(on_tasks)]
    return {(r[0], r[1], r[2], _aware(r[3]), r[4]) for r in rows}


@scheduled(
    "jobs.prune",
    daily(hour=3, minute=30),
    "清理 90 天前的运行记录",
    "prune run history older than 90 days",
)
def prune_runs(session: Session, principal: Principal, now: datetime) -> int:
    result = session.execute(delete(JobRun).where(JobRun.started_at < now - RUN_HISTORY))
    return int(result.rowcount)  # type: ignore[attr-defined]
