"""The population base's scheduled work (registered in gridgov.jobs.registry)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.jobs.registry import every, scheduled
from gridgov.people import staging


@scheduled(
    "imports.expire", every(minutes=60), "清理过期的人口导入批次", "expire checked person imports"
)
def expire_imports(session: Session, principal: Principal, now: datetime) -> int:
    # A checked import waits a day for its commit; then its rows (ID numbers, phones) go.
    return staging.expire(session, now=now)
