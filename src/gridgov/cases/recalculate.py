"""Re-laying running clocks on a changed calendar (a year's schedule entered or corrected).

A clock computed over a year nobody had entered assumed plain weekends and carries a warning.
When the schedule arrives, each such running clock keeps the working time it was given (measured
on the old calendar, so approved extensions stay) and gets its due and warning instants again on
the new calendar. Each case gets a timeline line; the trail gets one entry for the batch.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.cases.repository import CaseRepository
from gridgov.kit.clock import utcnow
from gridgov.models.case import CaseEvent
from gridgov.workcal.calendar import WorkCalendar


def recalculate_clocks(
    session: Session,
    *,
    old: WorkCalendar,
    new: WorkCalendar,
    principal: Principal,
    year: int,
) -> int:
    """Recompute the running clocks that crossed an unentered year; returns how many changed."""
    repo = CaseRepository(session)
    now = utcnow()
    changed = 0
    for case in repo.running_with_calendar_warning():
        started, due = case.step_started_at, case.step_due_at
        if started is None or due is None:
            continue
        given = old.working_seconds_between(started, due)
        new_due = new.add_working_seconds(started, given)
        warn_at = case.step_warn_at
        if warn_at is not None:
            case.step_warn_at = new.add_working_seconds(
                started, old.working_seconds_between(started, warn_at)
            ).at
        before = due
        case.step_due_at = new_due.at
        case.calendar_warning = new_due.warning
        changed += 1
        repo.add_event(
            CaseEvent(
                case_id=case.id,
                at=now,
                move="recalculate",
                state_from=case.state,
                state_to=case.state,
                actor_user_id=principal.account_id,
                actor_name=principal.username,
                actor_role=None if principal.system else str(principal.role),
                note=f"{year} 年工作日历已录入，期限重算 / deadline recomputed on the {year} calendar",
                public=False,
                data={"before": before.isoformat(), "after": new_due.at.isoformat()},
            )
        )
    if changed:
        trail.record(
            session,
            action="case.recalculate",
            object_type="calendar_year",
            object_id=year,
            principal=principal,
            after={"cases": changed},
        )
    return changed
