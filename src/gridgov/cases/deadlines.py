"""Step clocks: start, stop, pause, resume and extend the working-time deadline of a case.

Each step of the loop (register, dispatch, handle, verify) has an allowed working time from the
category. The running clock is kept on the case as absolute instants (``step_due_at``,
``step_warn_at``), so "overdue" is a computed comparison with the current time — an index
range scan over the whole city — never a value anybody types in.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from gridgov.cases.categories import DEFAULT_MINUTES, DEFAULT_WARN_SHARE, CategoryInfo
from gridgov.cases.repository import CaseRepository
from gridgov.cases.states import State
from gridgov.models.case import Case, CaseStep
from gridgov.workcal.calendar import MINUTES_PER_WORKING_DAY, WorkCalendar, unknown_years_warning

STEP_OF_STATE: dict[str, str] = {
    State.REPORTED: "register",
    State.REGISTERED: "dispatch",
    State.DISPATCHED: "handle",
    State.ACCEPTED: "handle",
    State.HANDLED: "verify",
}


class DeadlineStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    OVERDUE = "overdue"
    PAUSED = "paused"


def allowed_minutes(category: CategoryInfo | None, step: str) -> int:
    """The category's limit for ``step`` in working minutes."""
    return category.minutes(step) if category else DEFAULT_MINUTES[step]


def given_minutes(case: Case, category: CategoryInfo | None, step: str) -> int:
    """The working time ``step`` gets on this case: for handling, what the dispatcher gave
    (the category's limit when he gave nothing) plus the extensions approved since."""
    if step != "handle":
        return allowed_minutes(category, step)
    base = case.handle_minutes or allowed_minutes(category, step)
    return base + (case.extension_minutes_granted or 0)


def handle_choices(category: CategoryInfo | None) -> list[int]:
    """The handling times a dispatcher may give, in working minutes, shortest first: whole
    working days (or hours, for a category counted in hours) up to the category's limit, and
    the limit itself."""
    limit = allowed_minutes(category, "handle")
    unit = 60 if category is None or category.handle_unit == "hours" else MINUTES_PER_WORKING_DAY
    if limit < unit:
        unit = 60
    return sorted({*range(unit, limit + 1, unit), limit})


def warn_share(category: CategoryInfo | None) -> float:
    return category.warn_share if category else DEFAULT_WARN_SHARE


def start_clock(
    case: Case,
    *,
    step: str,
    category: CategoryInfo | None,
    calendar: WorkCalendar,
    now: datetime,
) -> None:
    """Start ``step``'s clock on the case (the step's history row is written when it ends)."""
    minutes = given_minutes(case, category, step)
    due = calendar.add_working_minutes(now, minutes)
    warn = calendar.add_working_minutes(now, minutes * warn_share(category))
    case.step = step
    case.step_started_at = now
    case.step_due_at = due.at
    case.step_warn_at = warn.at
    case.paused_remaining_s = None
    case.calendar_warning = due.warning


def stop_clock(case: Case, *, repo: CaseRepository, now: datetime) -> None:
    """End the running step and keep its history row (started, due, finished, on time)."""
    if case.step is not None and case.step_started_at is not None:
        due = case.step_due_at
        repo.add_step(
            CaseStep(
                case_id=case.id,
                step=case.step,
                department_code=case.department_code if case.step == "handle" else None,
                started_at=case.step_started_at,
                due_at=due,
                finished_at=now,
                on_time=due is None or now <= _aware(due),
            )
        )
    case.step = None
    case.step_started_at = None
    case.step_due_at = None
    case.step_warn_at = None
    case.paused_remaining_s = None
    case.calendar_warning = None


def restart_clock(
    case: Case,
    *,
    step: str,
    category: CategoryInfo | None,
    calendar: WorkCalendar,
    repo: CaseRepository,
    now: datetime,
) -> None:
    """Finish the running step (if any) and start ``step``."""
    stop_clock(case, repo=repo, now=now)
    start_clock(case, step=step, category=category, calendar=calendar, now=now)


def pause_clock(case: Case, *, calendar: WorkCalendar, now: datetime) -> None:
    """Stop time (hold): keep the working seconds left; a paused case is never overdue."""
    if case.step_due_at is None:
        return
    case.paused_remaining_s = calendar.working_seconds_between(now, case.step_due_at)
    case.step_due_at = None
    case.step_warn_at = None


def resume_clock(
    case: Case,
    *,
    category: CategoryInfo | None,
    calendar: WorkCalendar,
    now: datetime,
) -> None:
    """Restart a paused clock with the working time it had left (none left: due at once)."""
    if case.paused_remaining_s is None or case.step is None:
        return
    remaining = case.paused_remaining_s
    due = calendar.add_working_seconds(now, remaining)
    total = given_minutes(case, category, case.step) * 60
    warn_margin = int(total * (1 - warn_share(category)))  # working seconds warn → due
    if remaining <= warn_margin:
        warn_at = now
    else:
        warn_at = calendar.add_working_seconds(now, remaining - warn_margin).at
    case.step_due_at = due.at
    case.step_warn_at = warn_at
    case.paused_remaining_s = None
    case.calendar_warning = due.warning


def extend_clock(
    case: Case,
    *,
    minutes: int,
    calendar: WorkCalendar,
) -> None:
    """Move the due time by ``minutes`` of working time (approved extension 延期)."""
    if case.step_due_at is None:
        return
    due = calendar.add_working_minutes(case.step_due_at, minutes)
    case.step_due_at = due.at
    warnings = set(due.unknown_years)
    case.calendar_warning = unknown_years_warning(warnings) or case.calendar_warning


def status(case: Case, now: datetime) -> DeadlineStatus | None:
    """ok / warning / overdue / paused for the running step, None when no clock runs."""
    if case.paused_remaining_s is not None:
        return DeadlineStatus.PAUSED
    if case.step_due_at is None:
        return None
    due = _aware(case.step_due_at)
    if now >= due:
        return DeadlineStatus.OVERDUE
    if case.step_warn_at is not None and now >= _aware(case.step_warn_at):
        return DeadlineStatus.WARNING
    return DeadlineStatus.OK


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
