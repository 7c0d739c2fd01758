"""When a grid is retired and another added, the retired grid's worker takes the new grid
through the assignment history, and the worker's account follows (the field app's next sync
loads the new grid)."""

from __future__ import annotations

from datetime import timedelta

from shapely.geometry import box
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.kit.clock import utcnow
from gridgov.models.redivision import RedivisionProposal
from gridgov.models.region import Region
from gridgov.models.staff import Assignment
from gridgov.redivision import apply, service
from tests.factories import create_user
from tests.redivision.conftest import _region, build_community

SYSTEM = system_principal("test-redivision")


def test_retired_grids_worker_takes_the_new_grid(db: Session) -> None:
    built = build_community(db, [250, 260], columns=2, community="420599001007")
    retired, kept = built.codes
    worker = built.staff[retired]
    account = create_user(db, role=Role.GRID_WORKER, region_code=retired)
    account.staff_id = worker.id
    community = db.scalar(select(Region).where(Region.code == built.community))
    new = _region(db, f"{built.community}003", "grid", box(0, 700, 330, 1030), community)
    proposal = RedivisionProposal(
        community_code=built.community,
        fingerprint="-",
        plan={},
        solver_status="edited",
        created_by="test",
    )
    db.add(proposal)
    db.flush()
    slots = [
        service.SlotPlan(2, new.code, "added", [], [retired], worker),
        service.SlotPlan(0, retired, "retired", [], [], None),
        service.SlotPlan(1, kept, None, [], [], built.staff[kept]),
    ]
    now = utcnow() + timedelta(seconds=1)
    done = apply._reassign(
        db, SYSTEM, proposal, slots, {retired: worker, kept: built.staff[kept]}, [retired], now
    )
    assert done == [f"{worker.staff_no}→{new.code}"]
    history = list(
        db.scalars(
            select(Assignment).where(Assignment.staff_id == worker.id).order_by(Assignment.id)
        )
    )
    # The old assignment ended (kept, reason untouched), the new one names the proposal.
    assert history[0].ended_at is not None and history[0].reason == "测试"
    assert history[-1].region_id == new.id and history[-1].ended_at is None
    assert history[-1].reason == f"网格调整方案 {proposal.id}"
    db.refresh(account)
    assert account.region_code == new.code
