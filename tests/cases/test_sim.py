from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.cases import service
from gridgov.kit import crypto
from gridgov.models.case import Case, CaseEvent
from gridgov.sim.cases import simulate_cases


def test_simulated_history_covers_the_loop(db: Session, city: dict) -> None:
    summary = simulate_cases(db, seed=3, count=400)
    assert summary.cases == 400 == db.scalar(select(func.count()).select_from(Case))
    assert {"closed", "reported", "dispatched", "handled"} <= set(summary.by_state)
    assert summary.by_state["closed"] > 100
    # Open cases have running clocks; some are overdue, and the overdue set finds exactly them.
    overdue = service.overdue_ids(db)
    assert overdue
    for case in db.scalars(select(Case).where(Case.id.in_(overdue))):
        assert case.state not in ("closed", "cancelled") and case.step is not None
    closed = db.scalars(select(Case).where(Case.state == "closed").limit(20)).all()
    for case in closed:
        moves = db.scalars(
            select(CaseEvent.move).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        ).all()
        assert moves[0] == "register" and moves[-1] == "close"
        assert case.step_due_at is None and case.closed_at is not None
    # A reporter's phone is kept encrypted beside its mask, so the centre can call back.
    for case in db.scalars(select(Case).where(Case.channel != "worker_app").limit(20)):
        assert case.reporter_phone_enc and case.reporter_phone_masked
        assert (
            crypto.mask_phone(crypto.decrypt(case.reporter_phone_enc)) == case.reporter_phone_masked
        )
    assert simulate_cases(db, seed=3, count=10).cases == 10  # may be called again
