"""The demo's simulated week of patrols goes through the field app's service like a phone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.patrols import service as patrols
from gridgov.kit.clock import utcnow
from gridgov.models.patrol import Patrol
from gridgov.sim.patrols import simulate_patrols


def test_a_week_of_patrols_mostly_inside_the_grid(db: Session, principal: Principal) -> None:
    recorded = simulate_patrols(db, worker=principal, days=3, seed=2)
    assert recorded > 3 * 100  # at least an hour a day at a point every 30 s
    days = db.scalars(select(func.count(func.distinct(Patrol.day)))).one()
    assert days == 3
    for patrol in db.scalars(select(Patrol)):
        assert patrol.ended_at is not None and patrol.point_count > 100
        span = (patrol.ended_at - patrol.started_at).total_seconds()
        assert 0.7 * span <= patrol.seconds_inside <= span  # steps outside now and then
    yesterday = patrols.local_day(utcnow()) - timedelta(days=1)
    assert patrols.my_day(db, principal=principal, day=yesterday).seconds_inside > 0
