"""A re-division approved for a later day: nothing moves until then; the scheduler's job applies
it at that moment, or lapses it when buildings changed meanwhile; it can be called off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit import chain
from gridgov.authz.principal import system_principal
from gridgov.jobs import registry
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict
from gridgov.models.audit import AuditEntry
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.redivision import ProposalState, RecordGridMove
from gridgov.redivision import apply, service
from tests.redivision.conftest import Built

SYSTEM = system_principal("test-redivision")


def _house_grids(db: Session, built: Built) -> dict[int, str]:
    rows = db.execute(
        select(House.id, House.grid_code).where(House.grid_code.like(built.community + "%"))
    )
    return {house_id: grid for house_id, grid in rows}


def _scheduled(db: Session, built: Built, days: int = 7) -> tuple[int, object]:
    proposal = service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    when = utcnow() + timedelta(days=days)
    result = apply.approve(db, principal=SYSTEM, proposal_id=proposal.id, effective_at=when)
    db.flush()
    assert result.state == ProposalState.SCHEDULED
    assert result.moved == {} and result.added == []
    return proposal.id, when


def test_nothing_moves_before_the_day_and_everything_moves_on_it(
    db: Session, drifted: Built
) -> None:
    before = _house_grids(db, drifted)
    proposal_id, when = _scheduled(db, drifted)
    assert _house_grids(db, drifted) == before
    # Households come and go while it waits: that does not stop it (a new house does: below).
    house = db.scalars(select(House).where(House.grid_code == drifted.codes[2])).first()
    assert house is not None
    db.add(
        Household(
            household_no="HWAIT001",
            house_id=house.id,
            grid_code=house.grid_code,
            changed_at=house.changed_at,
            change_source="import",
        )
    )
    db.flush()

    assert apply.apply_due(db, principal=SYSTEM, now=when - timedelta(minutes=1)) == 0
    assert _house_grids(db, drifted) == before

    # The server was down that night: the run a day later still dates the change to the day.
    assert apply.apply_due(db, principal=SYSTEM, now=when + timedelta(days=1)) == 1
    db.flush()
    proposal = service.get_proposal(db, principal=SYSTEM, proposal_id=proposal_id)
    assert proposal.state == ProposalState.APPROVED
    after = _house_grids(db, drifted)
    moved = {h for h in before if after[h] != before[h]}
    assert moved, "the drifted community's buildings change grid"
    moves = db.scalars(select(RecordGridMove).where(RecordGridMove.proposal_id == proposal_id))
    assert {m.effective_at.replace(tzinfo=None) for m in moves} == {when.replace(tzinfo=None)}
    # The household added while waiting follows its house.
    waited = db.scalars(select(Household).where(Household.household_no == "HWAIT001")).one()
    assert waited.grid_code == after[house.id]
    # A second run finds nothing more to do.
    assert apply.apply_due(db, principal=SYSTEM, now=when + timedelta(days=2)) == 0
    actions = db.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "redivision_proposal")
    ).all()
    assert actions.count("redivision.schedule") == 1 and actions.count("redivision.approve") == 1
    chain.seal(db.connection())
    assert chain.verify(db.connection()).ok


def test_a_new_building_before_the_day_lapses_it(db: Session, drifted: Built) -> None:
    before = _house_grids(db, drifted)
    proposal_id, when = _scheduled(db, drifted, days=3)
    template = db.scalars(select(House).where(House.grid_code == drifted.codes[3])).first()
    assert template is not None
    db.add(
        House(
            address="新建小区1栋101室",
            grid_code=template.grid_code,
            lng=template.lng,
            lat=template.lat,
            building="新建小区1栋",
            changed_at=template.changed_at,
            change_source="import",
        )
    )
    db.flush()
    assert apply.apply_due(db, principal=SYSTEM, now=when) == 1
    db.flush()
    proposal = service.get_proposal(db, principal=SYSTEM, proposal_id=proposal_id)
    assert proposal.state == ProposalState.LAPSED
    after = _house_grids(db, drifted)
    assert {h: after[h] for h in before} == before  # nothing moved
    lapsed = db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "redivision.lapse")
    )
    assert lapsed == 1


def test_a_scheduled_division_can_be_called_off_but_not_approved_twice(
    db: Session, drifted: Built
) -> None:
    proposal_id, when = _scheduled(db, drifted)
    with pytest.raises(Conflict):
        apply.approve(db, principal=SYSTEM, proposal_id=proposal_id)
    service.reject(db, principal=SYSTEM, proposal_id=proposal_id, note="规划调整")
    db.flush()
    assert apply.apply_due(db, principal=SYSTEM, now=when + timedelta(days=1)) == 0
    proposal = service.get_proposal(db, principal=SYSTEM, proposal_id=proposal_id)
    assert proposal.state == ProposalState.REJECTED


def test_the_scheduler_knows_the_job() -> None:
    spec = registry.get("redivision.apply_due")
    assert spec is not None and spec.every_minutes == 10
