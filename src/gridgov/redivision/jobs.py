"""Re-division's scheduled work (registered in gridgov.jobs.registry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.jobs.registry import every, scheduled
from gridgov.redivision.apply import apply_due


@scheduled(
    "redivision.apply_due",
    every(minutes=10),
    "按生效日期实施已批准的网格调整",
    "apply the grid re-divisions whose effective date has come",
)
def apply_scheduled(session: Session, principal: Principal, now: datetime) -> int:
    return apply_due(session, principal=principal, now=now)
