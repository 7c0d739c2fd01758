"""The evaluation's scheduled work: score yesterday every night."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.evaluation import service
from gridgov.jobs.registry import CITY_TZ, daily, scheduled


@scheduled(
    "evaluation.daily", daily(hour=2, minute=0), "计算前一日考评分", "score the previous day"
)
def score_yesterday(session: Session, principal: Principal, now: datetime) -> int:
    # `now` is the scheduled time: a run caught up later still scores the day before it.
    yesterday = now.astimezone(CITY_TZ).date() - timedelta(days=1)
    return service.score_day(session, principal=principal, day=yesterday)
