"""Indicators of the simulated month: per grid (cases) and per worker (verification, patrol)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.evaluation import indicators
from gridgov.models.case import Case
from gridgov.models.redivision import ProposalState, RecordGridMove, RedivisionProposal
from tests.evaluation.month import GRID_A, GRID_B, MONTH, Month

LEADER = Principal(user_id=900001, username="leader-test", role=Role.LEADER)


def test_periods() -> None:
    anchor = date(2026, 11, 18)
    assert indicators.period_range("day", anchor) == (anchor, anchor)
    assert indicators.period_range("week", anchor) == (date(2026, 11, 16), date(2026, 11, 22))
    assert indicators.period_range("month", date(2026, 12, 5)) == MONTH
    assert indicators.period_range("quarter", anchor) == (date(2026, 10, 1), date(2026, 12, 31))


def test_grid_and_worker_indicators_of_the_month(db: Session) -> None:
    month = Month(db)
    grids = indicators.case_indicators(
        db, principal=LEADER, level="grid", start=MONTH[0], end=MONTH[1]
    )
    by_grid = {g.key: g for g in grids}
    a, b = by_grid[GRID_A], by_grid[GRID_B]
    assert (a.dispatched, a.closed, a.closed_on_time, a.reworked) == (3, 3, 2, 1)
    assert a.on_time_closure_rate == pytest.approx(0.6667) and a.rework_rate == pytest.approx(
        0.3333
    )
    assert (b.rank, a.rank) == (1, 2) and b.closure_rate == 1.0
    community = indicators.case_indicators(
        db, principal=LEADER, level="community", start=MONTH[0], end=MONTH[1]
    )
    assert [(c.key, c.dispatched) for c in community] == [(GRID_A[:12], 4)]

    workers = {
        w.user_id: w
        for w in indicators.worker_indicators(db, principal=LEADER, start=MONTH[0], end=MONTH[1])
    }
    mine, other = workers[month.worker.id], workers[month.other.id]
    assert (mine.duty_days, mine.compliant_days) == (23, 21)
    assert (mine.verifications, mine.verified_on_time) == (2, 1)
    assert mine.on_time_verification_rate == 0.5
    assert other.patrol_compliance == 1.0 and other.rank < mine.rank
    # A worker of grid B sees only the own grid's worker.
    own = Principal(user_id=month.other.id, username="w", role=Role.GRID_WORKER, region_code=GRID_B)
    assert [w.user_id for w in indicators.worker_indicators(
        db, principal=own, start=MONTH[0], end=MONTH[1]
    )] == [month.other.id]  # fmt: skip


def test_a_past_month_keeps_the_division_it_was_worked_under(db: Session) -> None:
    """A re-division after the month moves grid A's cases to grid B: the month's figures still
    count them under grid A (and its worker's verifications), not under their grid today."""
    month = Month(db)

    def figures() -> tuple[dict[str, int], tuple[int, int]]:
        grids = indicators.case_indicators(
            db, principal=LEADER, level="grid", start=MONTH[0], end=MONTH[1]
        )
        workers = indicators.worker_indicators(db, principal=LEADER, start=MONTH[0], end=MONTH[1])
        mine = next(w for w in workers if w.user_id == month.worker.id)
        return {g.key: g.dispatched for g in grids}, (mine.verifications, mine.verified_on_time)

    before = figures()
    assert before[0][GRID_A] == 3
    proposal = RedivisionProposal(
        community_code=GRID_A[:12],
        state=ProposalState.APPROVED,
        fingerprint="0" * 64,
        plan={},
        solver_status="optimal",
        created_by="test",
    )
    db.add(proposal)
    db.flush()
    effective = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    moved = list(db.scalars(select(Case).where(Case.grid_code == GRID_A)))
    assert moved
    for case in moved:
        db.add(
            RecordGridMove(
                proposal_id=proposal.id,
                record_type="case",
                record_id=case.id,
                from_grid=GRID_A,
                to_grid=GRID_B,
                effective_at=effective,
            )
        )
        case.grid_code = GRID_B
    db.flush()
    assert figures() == before
