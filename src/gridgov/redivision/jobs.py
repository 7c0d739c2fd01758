"""Re-division's scheduled work (registered in gridgov.jobs.registry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.jobs.registry import daily, every, scheduled
from gridgov.redivision import drift
from gridgov.redivision.apply import apply_due


@scheduled(
    "redivision.apply_due",
    every(minutes=10),
    "按生效日期实施已批准的网格调整",
    "apply the grid re-divisions whose effective date has come",
)
def apply_scheduled(session: Session, principal: Principal, now: datetime) -> int:
    return apply_due(session, principal=principal, now=now)


@scheduled(
    "redivision.drift",
    daily(hour=1, minute=30),
    "检查网格规模偏离（户数、人数、单位、部件、巡查、案件）",
    "check every grid's loads against the household range",
)
def check_drift(session: Session, principal: Principal, now: datetime) -> int:
    # After stats.refresh (01:00): the household and resident counts are the night's.
    return drift.check(session, principal=principal, now=now)
