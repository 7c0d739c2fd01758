"""The dashboard's and the ledgers' scheduled work (registered in gridgov.jobs.registry)."""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.dashboard import aggregates, ledger_files
from gridgov.jobs.registry import CITY_TZ, every, scheduled


@scheduled(
    "dashboard.refresh", every(minutes=2), "刷新指挥大屏统计", "refresh the dashboard counts"
)
def refresh_dashboard(session: Session, principal: Principal, now: datetime) -> int:
    # Finished days not counted yet, then the open-case snapshot: the dashboard's requests then
    # find both fresh and never pay for a rebuild themselves.
    days = aggregates.refresh_case_days(session, now=now)
    return days + (aggregates.refresh_open_cases(session, now=now) or 0)


@scheduled(
    "ledgers.monthly",
    CronTrigger(day=1, hour=3, minute=0, timezone=CITY_TZ),
    "生成上月台账",
    "make last month's ledgers",
)
def monthly_ledgers(session: Session, principal: Principal, now: datetime) -> int:
    # `now` is the scheduled time: a run caught up on the 2nd still makes the month before it.
    month = ledger_files.previous_month(now.astimezone(CITY_TZ).date())
    return len(ledger_files.make_monthly(session, month=month))
