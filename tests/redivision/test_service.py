"""Proposals meet the rules; approval moves every record to its new grid and leaves the past
as it was."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shapely
from shapely.geometry import Point
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import chain
from gridgov.authz.principal import system_principal
from gridgov.grids.geometry import from_geojson
from gridgov.kit.errors import Conflict, Unprocessable
from gridgov.models.case import Case
from gridgov.models.facility import Facility
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.redivision import ProposalState, RecordGridMove
from gridgov.models.region import BASE_LAYER, Region
from gridgov.models.staff import Assignment
from gridgov.models.task import Task
from gridgov.redivision import apply, drift, rules, service
from gridgov.redivision.units import Graph
from tests.redivision.conftest import Built, build_community

SYSTEM = system_principal("test-redivision")


def _slot_households(proposal_plan: dict) -> dict[int, int]:
    out: dict[int, int] = {}
    for unit, slot in zip(proposal_plan["units"], proposal_plan["assignment"], strict=True):
        out[slot] = out.get(slot, 0) + unit["households"]
    return out


def test_proposal_grids_are_in_range_contiguous_inside_and_move_few(
    db: Session, drifted: Built
) -> None:
    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    plan = proposal.plan
    loads = _slot_households(plan)
    assert all(rules.LOWER <= n <= rules.UPPER for n in loads.values()), loads
    assert sum(loads.values()) == 500 + 80 + 250 + 260 + 240 + 230
    graph: Graph = service.plan_graph(plan)
    for slot in loads:
        members = [u for u, s in enumerate(plan["assignment"]) if s == slot]
        assert len(graph.components(members)) == 1, f"slot {slot} not contiguous"
    # Inside the community: every building of the plan is one of the community's buildings.
    community_houses = set(
        db.scalars(select(House.id).where(House.grid_code.like(drifted.community + "%")))
    )
    planned = {h for u in plan["units"] for h in u["houses"]}
    assert planned == community_houses
    # Stated bound: no more households move than the out-of-range grids hold (500 + 80), and at
    # least the 200 above the maximum of the grown grid must leave it.
    assert 200 <= proposal.households_moved <= 580
    # The four grids within range that do not touch the drifted pair stay exactly as they are.
    read = service.proposal_read(db, principal=SYSTEM, proposal=proposal)
    assert not read.stale and not read.violations
    unchanged = {s.code for s in read.slots if s.change is None}
    assert {drifted.codes[5]} <= unchanged


def test_approval_moves_every_record_and_keeps_the_past(db: Session) -> None:
    built = build_community(db, [560, 240], columns=2, community="420599001002")
    first = built.codes[0]
    proposal = service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    before_closed = db.get(Case, built.closed_case_id)
    assert before_closed is not None and before_closed.grid_code == first
    moment_before = proposal.created_at - timedelta(seconds=1)

    result = apply.approve(db, principal=SYSTEM, proposal_id=proposal.id, note="测试")
    db.flush()
    # 800 households → three grids; the new one gets the next, never used code.
    assert result.added == [f"{built.community}003"]
    grids = {
        r.code: r
        for r in db.scalars(
            select(Region).where(Region.code.like(built.community + "%"), Region.level == "grid")
        )
    }
    assert grids[result.added[0]].layer == BASE_LAYER
    shapes = {code: from_geojson(r.geometry) for code, r in grids.items() if r.layer == BASE_LAYER}
    # Every house lies in the polygon of its grid; households and persons follow their house.
    houses = {
        h.id: h
        for h in db.scalars(select(House).where(House.grid_code.like(built.community + "%")))
    }
    for house in houses.values():
        assert shapes[house.grid_code].covers(Point(house.lng, house.lat)), house.address
    for household in db.scalars(select(Household).where(Household.house_id.in_(list(houses)))):
        assert household.grid_code == houses[household.house_id or 0].grid_code
    for person in db.scalars(select(Person).where(Person.house_id.in_(list(houses)))):
        assert person.grid_code == houses[person.house_id or 0].grid_code
    counts = {code: 0 for code in shapes}
    for household in db.scalars(select(Household).where(Household.house_id.in_(list(houses)))):
        counts[household.grid_code] += 1
    assert all(rules.LOWER <= n <= rules.UPPER for n in counts.values()), counts
    # Facilities and the open case are in the grid holding their point; grid_id agrees.
    for facility in db.scalars(
        select(Facility).where(Facility.grid_code.like(built.community + "%"))
    ):
        assert shapes[facility.grid_code].covers(Point(facility.lng, facility.lat))
        assert grids[facility.grid_code].id == facility.grid_id
    open_case = db.get(Case, built.open_case_id)
    assert open_case is not None
    assert shapes[open_case.grid_code or ""].covers(Point(open_case.lng, open_case.lat))
    # The past: the closed case and last month's patrol keep the grid of their time.
    closed = db.get(Case, built.closed_case_id)
    patrol = db.get(Patrol, built.patrol_id)
    assert closed is not None and closed.grid_code == first
    assert patrol is not None and patrol.grid_code == first
    # A moved house answers its old grid for a moment before the change, its new one today.
    moved = db.scalars(
        select(RecordGridMove).where(
            RecordGridMove.proposal_id == proposal.id, RecordGridMove.record_type == "house"
        )
    ).first()
    assert moved is not None and moved.from_grid == first
    house = houses[moved.record_id]
    at_past = service.grid_at(
        db,
        principal=SYSTEM,
        record_type="house",
        record_id=house.id,
        current=house.grid_code,
        at=moment_before,
    )
    assert at_past == first and house.grid_code == moved.to_grid != first
    assert house.version == 2 and house.change_reason == f"网格调整方案 {proposal.id}"
    # The new grid has a worker only if a grid was retired; here none was: it waits for one,
    # and the two kept grids keep theirs.
    open_assignments = {
        a.region_id for a in db.scalars(select(Assignment).where(Assignment.ended_at.is_(None)))
    }
    assert grids[first].id in open_assignments and grids[built.codes[1]].id in open_assignments
    task = db.get(Task, built.task_id)
    assert task is not None and task.grid_code in shapes
    chain.seal(db.connection())
    assert chain.verify(db.connection()).ok


def test_merge_retires_a_grid_hands_its_worker_on_and_keeps_its_code(db: Session) -> None:
    # 90 + 250 + 260 = 600: the small grid is merged away; two grids of 300 can hold it all.
    built = build_community(db, [250, 90, 260], columns=3, community="420599001003")
    proposal = service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    result = apply.approve(db, principal=SYSTEM, proposal_id=proposal.id)
    assert result.added == [] and len(result.retired) == 1
    retired = db.scalar(select(Region).where(Region.code == result.retired[0]))
    assert retired is not None and retired.layer == apply.RETIRED_LAYER
    # The retired grid's history stays readable: its assignment ended but still exists.
    history = list(db.scalars(select(Assignment).where(Assignment.region_id == retired.id)))
    assert history and all(a.ended_at is not None for a in history)
    assert not db.scalars(select(Household).where(Household.grid_code == retired.code)).first()


def test_stale_proposal_is_refused(db: Session, drifted: Built) -> None:
    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    house = db.scalars(select(House).where(House.grid_code == drifted.codes[2])).first()
    assert house is not None
    db.add(
        Household(
            household_no="HSTALE001",
            house_id=house.id,
            grid_code=house.grid_code,
            changed_at=house.changed_at,
            change_source="import",
        )
    )
    db.flush()
    with pytest.raises(Conflict) as refused:
        apply.approve(db, principal=SYSTEM, proposal_id=proposal.id)
    assert refused.value.details["rule"] == "stale"
    assert "重新计算" in refused.value.message


def test_hand_edit_that_breaks_the_range_blocks_approval(db: Session, drifted: Built) -> None:
    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    plan = proposal.plan
    loads = _slot_households(plan)
    # Move the biggest building of a full slot into another slot until one is over 300.
    fullest = max(loads, key=lambda s: loads[s])
    unit = max(
        (u for u, s in enumerate(plan["assignment"]) if s == fullest),
        key=lambda u: plan["units"][u]["households"],
    )
    target = next(
        s for s in loads if s != fullest and loads[s] + plan["units"][unit]["households"] > 300
    )
    service.move_unit(db, principal=SYSTEM, proposal_id=proposal.id, unit=unit, slot=target)
    assert proposal.solver_status == "edited"
    read = service.proposal_read(db, principal=SYSTEM, proposal=proposal)
    assert any(v.rule == "range" for v in read.violations)
    with pytest.raises(Unprocessable):
        apply.approve(db, principal=SYSTEM, proposal_id=proposal.id)


def test_too_few_households_is_explained(db: Session) -> None:
    built = build_community(db, [150], columns=1, community="420599001004")
    with pytest.raises(Unprocessable) as refused:
        service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    assert refused.value.details["rule"] == "total"
    assert "150" in refused.value.message


def test_island_is_explained(db: Session) -> None:
    built = build_community(db, [250, 260, 240, 120], columns=3, community="420599001005", island=3)
    with pytest.raises(Unprocessable) as refused:
        service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    assert refused.value.details["rule"] == "island"
    assert "飞地" in refused.value.message


def test_nothing_to_do_when_every_grid_is_in_range(db: Session) -> None:
    built = build_community(db, [250, 260], columns=2, community="420599001006")
    with pytest.raises(Conflict):
        service.propose(db, principal=SYSTEM, community_code=built.community, time_limit=5)
    assert shapely is not None


def test_applying_one_proposal_lapses_the_communitys_other_drafts(
    db: Session, drifted: Built
) -> None:
    first = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    second = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    apply.approve(db, principal=SYSTEM, proposal_id=second.id)
    db.flush()
    db.refresh(first)
    assert first.state == ProposalState.LAPSED
    # The drift page no longer links a proposal made from the division that ended.
    read = drift.drift(db, principal=SYSTEM, region_code=drifted.community)
    assert read.communities[0].open_proposal_id is None
    with pytest.raises(Conflict):
        apply.approve(db, principal=SYSTEM, proposal_id=first.id)
