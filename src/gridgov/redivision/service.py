"""Re-division proposals: compute one for a community, show it beside today's division, edit it
by hand (move a building), reject it. Applying an approved proposal is in ``apply.py``."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shapely.geometry import shape
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.grids.geometry import from_geojson, lnglat_to_metres, metres_to_lnglat, to_geojson
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, GridgovError, NotFound, Unprocessable
from gridgov.models.redivision import GridChangeKind, ProposalState, RedivisionProposal
from gridgov.models.region import Region, RegionLevel
from gridgov.models.staff import Staff
from gridgov.redivision import rules
from gridgov.redivision.drift import drift
from gridgov.redivision.repository import RedivisionRepository
from gridgov.redivision.schemas import ProposalRead, RuleRead, SlotRead, UnitRead
from gridgov.redivision.units import Graph, Unit, build_graph, union_lnglat


@dataclass
class Division:
    """A community as it is today: its grids (slot order), the building graph, and the hash of
    both (a proposal made from another state is stale)."""

    community: Region
    grids: list[Region]
    graph: Graph
    current: list[int]  # slot (index into grids) of each unit today
    fingerprint: str
    # The same without household counts: what a proposal scheduled for a later date must still fit.
    structure: str


def community_or_404(repo: RedivisionRepository, code: str) -> Region:
    community = repo.region(code, RegionLevel.COMMUNITY)
    if community is None:
        raise NotFound(f"社区 {code} 不存在", f"Community {code} does not exist")
    return community


def load_division(session: Session, *, principal: Principal, community_code: str) -> Division:
    repo = RedivisionRepository(session, principal)
    community = community_or_404(repo, community_code)
    grids = repo.grids(community.code)
    if not grids:
        raise Unprocessable(
            f"社区 {community.name} 没有网格", f"Community {community.code} has no grids"
        )
    graph = build_graph(
        [(g.code, from_geojson(g.geometry)) for g in grids], repo.houses(community.code)
    )
    households = repo.households_per_house(community.code)
    persons = repo.persons_per_house(community.code)
    organisations = repo.organisations_per_house(community.code)
    for unit in graph.units:
        unit.households = sum(households.get(h, 0) for h in unit.house_ids)
        unit.persons = sum(persons.get(h, 0) for h in unit.house_ids)
        unit.organisations = sum(organisations.get(h, 0) for h in unit.house_ids)
    index = {g.code: i for i, g in enumerate(grids)}
    current = [index[u.grid_code] for u in graph.units]
    return Division(
        community,
        grids,
        graph,
        current,
        _fingerprint(grids, graph, households=True),
        _fingerprint(grids, graph, households=False),
    )


def _fingerprint(grids: list[Region], graph: Graph, *, households: bool) -> str:
    content = {
        "grids": [[g.code, hashlib.sha256(g.geometry.encode()).hexdigest()] for g in grids],
        "units": sorted(
            [u.key, u.grid_code, sorted(u.house_ids), u.households if households else None]
            for u in graph.units
        ),
    }
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def propose(
    session: Session,
    *,
    principal: Principal,
    community_code: str,
    time_limit: float = rules.DEFAULT_TIME_LIMIT,
) -> RedivisionProposal:
    """Compute and store a proposal, or explain which rule no division can meet."""
    division = load_division(session, principal=principal, community_code=community_code)
    graph = division.graph
    problem = rules.infeasibility(graph)
    if problem is not None:
        raise Unprocessable(problem.message, problem.message_en, rule=problem.rule)
    if not rules.violations(graph, division.current):
        raise Conflict(
            f"{division.community.name}的网格都在 {rules.LOWER}–{rules.UPPER} 户之间，无需调整",
            f"Every grid of {division.community.code} is within {rules.LOWER}–{rules.UPPER} "
            "households; nothing to re-divide",
        )
    # lazy: OR-Tools (with the pandas and pyarrow it loads: ~0.4 s) only when a division is computed
    from gridgov.redivision import solver

    result = solver.solve(
        graph, current=division.current, existing=len(division.grids), time_limit=time_limit
    )
    if isinstance(result, solver.NoSolution):
        if result.status == "infeasible":
            raise Unprocessable(
                f"楼栋户数无法组合成连片且每格 {rules.LOWER}–{rules.UPPER} 户的网格"
                "（楼栋不可拆分，网格必须连片）",
                f"The buildings' households cannot be combined into contiguous grids of "
                f"{rules.LOWER}–{rules.UPPER} (buildings are never split, grids must be "
                "contiguous)",
                rule="contiguity",
            )
        waited = rules.HARD_LIMIT_FACTOR * time_limit
        raise Unprocessable(
            f"在 {waited:.0f} 秒内未找到可行划分，请加长计算时间后重试",
            f"No division found within {waited:.0f} s; retry with a longer time limit",
            rule="time_limit",
        )
    proposal = RedivisionProposal(
        community_code=division.community.code,
        state=ProposalState.DRAFT,
        fingerprint=division.fingerprint,
        plan=_plan(division, result.assignment, result.slots, result.boundary_m),
        households_moved=result.households_moved,
        solver_status=result.status,
        solve_seconds=round(result.seconds, 3),
        created_by=principal.username,
    )
    session.add(proposal)
    session.flush()
    trail.record(
        session,
        action="redivision.propose",
        object_type="redivision_proposal",
        object_id=proposal.id,
        principal=principal,
        after={
            "community": proposal.community_code,
            "households_moved": proposal.households_moved,
            "slots": result.slots,
            "solver": result.status,
        },
    )
    return proposal


@dataclass
class StreetOutcome:
    """One drifted community of a street: its proposal, or why none can be made."""

    community_code: str
    proposal: RedivisionProposal | None
    refusal: GridgovError | None


def propose_street(
    session: Session,
    *,
    principal: Principal,
    street_code: str,
    time_limit: float = rules.DEFAULT_TIME_LIMIT,
) -> list[StreetOutcome]:
    """A proposal for every community of a street with a grid out of range. Grids never cross
    a community boundary, so a street is divided community by community; a community no
    division fits gets its explanation and the others still get their proposals."""
    repo = RedivisionRepository(session, principal)
    street = repo.region(street_code, RegionLevel.STREET)
    if street is None:
        raise NotFound(f"街道 {street_code} 不存在", f"Street {street_code} does not exist")
    read = drift(session, principal=principal, region_code=street.code, only_out_of_range=True)
    outcomes = []
    for community in sorted(c.code for c in read.communities if c.out_of_range):
        try:
            made = propose(
                session, principal=principal, community_code=community, time_limit=time_limit
            )
        except (Unprocessable, Conflict) as refused:  # refused before anything was written
            outcomes.append(StreetOutcome(community, None, refused))
        else:
            outcomes.append(StreetOutcome(community, made, None))
    return outcomes


def _plan(division: Division, assignment: list[int], slots: int, boundary_m: float) -> dict:
    return {
        "lower": rules.LOWER,
        "upper": rules.UPPER,
        "grids": [g.code for g in division.grids],
        "slots": slots,
        "assignment": assignment,
        "boundary_m": round(boundary_m, 1),
        "edges": [[i, j, round(length, 1)] for i, j, length in division.graph.edges],
        "units": [
            {
                "key": u.key,
                "grid": u.grid_code,
                "households": u.households,
                "persons": u.persons,
                "organisations": u.organisations,
                "houses": u.house_ids,
                "cell": to_geojson(_lnglat(u)),
            }
            for u in division.graph.units
        ],
    }


def _lnglat(unit: Unit) -> Any:
    return metres_to_lnglat(unit.cell)


def plan_graph(plan: dict) -> Graph:
    """The stored graph of a plan (cells back in the metric frame)."""
    units = [
        Unit(
            key=u["key"],
            grid_code=u["grid"],
            house_ids=list(u["houses"]),
            households=u["households"],
            persons=u["persons"],
            organisations=u["organisations"],
            cell=lnglat_to_metres(shape(json.loads(u["cell"]))),
        )
        for u in plan["units"]
    ]
    return Graph(units, [(int(i), int(j), float(length)) for i, j, length in plan["edges"]])


def plan_violations(plan: dict) -> list[rules.Violation]:
    graph = plan_graph(plan)
    return rules.violations(graph, list(plan["assignment"]), plan["lower"], plan["upper"])


def get_proposal(session: Session, *, principal: Principal, proposal_id: int) -> RedivisionProposal:
    proposal = RedivisionRepository(session, principal).proposal(proposal_id)
    if proposal is None:
        raise NotFound(f"调整方案 {proposal_id} 不存在", f"Proposal {proposal_id} does not exist")
    return proposal


def _draft(proposal: RedivisionProposal) -> None:
    if proposal.state != ProposalState.DRAFT:
        raise Conflict(
            "该方案已审批或已退回，不能再修改", "The proposal was already approved or rejected"
        )


def move_unit(
    session: Session, *, principal: Principal, proposal_id: int, unit: int, slot: int
) -> RedivisionProposal:
    """Move one building (with its compound's shops) to another grid of the proposal."""
    proposal = get_proposal(session, principal=principal, proposal_id=proposal_id)
    _draft(proposal)
    plan = dict(proposal.plan)
    assignment = list(plan["assignment"])
    if unit >= len(assignment):
        raise BadRequest(f"楼栋 {unit} 不存在", f"No building {unit} in this proposal")
    if slot >= plan["slots"]:
        raise BadRequest(f"网格 {slot + 1} 不存在", f"No grid slot {slot + 1} in this proposal")
    before = assignment[unit]
    if before == slot:
        return proposal
    assignment[unit] = slot
    plan["assignment"] = assignment
    graph = plan_graph(plan)
    plan["boundary_m"] = round(
        sum(length for i, j, length in graph.edges if assignment[i] != assignment[j]), 1
    )
    proposal.plan = plan
    current = _current_slots(plan)
    proposal.households_moved = sum(
        u.households for i, u in enumerate(graph.units) if assignment[i] != current[i]
    )
    proposal.solver_status = "edited"
    session.flush()
    trail.record(
        session,
        action="redivision.move_building",
        object_type="redivision_proposal",
        object_id=proposal.id,
        principal=principal,
        before={"building": plan["units"][unit]["key"], "slot": before},
        after={"building": plan["units"][unit]["key"], "slot": slot},
    )
    return proposal


def reject(
    session: Session, *, principal: Principal, proposal_id: int, note: str | None
) -> RedivisionProposal:
    proposal = get_proposal(session, principal=principal, proposal_id=proposal_id)
    if proposal.state != ProposalState.SCHEDULED:  # a scheduled one can still be called off
        _draft(proposal)
    proposal.state = ProposalState.REJECTED
    proposal.decided_by = principal.username
    proposal.decided_at = utcnow()
    proposal.decision_note = note
    session.flush()
    trail.record(
        session,
        action="redivision.reject",
        object_type="redivision_proposal",
        object_id=proposal.id,
        principal=principal,
        after={"state": proposal.state, "note": note},
    )
    return proposal


def _current_slots(plan: dict) -> list[int]:
    index = {code: i for i, code in enumerate(plan["grids"])}
    return [index[u["grid"]] for u in plan["units"]]


@dataclass
class SlotPlan:
    slot: int
    code: str | None
    change: str | None
    units: list[int]
    from_codes: list[str]
    worker: Staff | None


def slot_plans(plan: dict, workers: dict[str, Staff]) -> list[SlotPlan]:
    """Each slot of the plan: its code, what happens to it, and which worker takes it. A kept
    grid keeps its worker; the workers of retired grids take the new grids, the one whose old
    grid gave most households first."""
    grids: list[str] = plan["grids"]
    assignment: list[int] = plan["assignment"]
    units = plan["units"]
    current = _current_slots(plan)
    members: list[list[int]] = [[] for _ in range(plan["slots"])]
    for u, slot in enumerate(assignment):
        members[slot].append(u)
    retired = {s for s in range(len(grids)) if not members[s]}
    gave_to_new = {current[u] for u, s in enumerate(assignment) if s >= len(grids)}
    out: list[SlotPlan] = []
    free_workers = [workers[grids[s]] for s in sorted(retired) if grids[s] in workers]
    for slot, inside in enumerate(members):
        sources = Counter[str]()
        for u in inside:
            sources[units[u]["grid"]] += units[u]["households"] or 0
        from_codes = [code for code, held in sources.most_common() if held]
        code = grids[slot] if slot < len(grids) else None
        worker: Staff | None = workers.get(code) if code else None
        change: str | None
        if slot >= len(grids):
            change = GridChangeKind.ADDED.value if inside else None
            worker = free_workers.pop(0) if inside and free_workers else None
        elif not inside:
            change = GridChangeKind.RETIRED.value
            worker = None
        elif sorted(inside) == sorted(u for u, c in enumerate(current) if c == slot):
            change = None
        elif any(grids.index(c) in retired for c in sources):
            change = GridChangeKind.MERGED.value
        elif slot in gave_to_new:
            change = GridChangeKind.SPLIT.value
        else:
            change = GridChangeKind.ADJUSTED.value
        if slot >= len(grids) and not inside:
            continue
        out.append(
            SlotPlan(slot, code, change, inside, [c for c in from_codes if c != code], worker)
        )
    return out


def proposed_geometry(plan: dict) -> dict[int, Any]:
    """Slot → proposed boundary (lng/lat) as the union of its buildings' cells."""
    graph = plan_graph(plan)
    cells: dict[int, list[Any]] = {}
    for u, slot in enumerate(plan["assignment"]):
        cells.setdefault(slot, []).append(graph.units[u].cell)
    return {slot: union_lnglat(parts) for slot, parts in cells.items()}


def is_stale(session: Session, *, principal: Principal, proposal: RedivisionProposal) -> bool:
    if proposal.state != ProposalState.DRAFT:
        return False
    division = load_division(session, principal=principal, community_code=proposal.community_code)
    return division.fingerprint != proposal.fingerprint


def proposal_read(
    session: Session,
    *,
    principal: Principal,
    proposal: RedivisionProposal,
    check_stale: bool = True,
) -> ProposalRead:
    plan = proposal.plan
    repo = RedivisionRepository(session, principal)
    grids = {g.code: g for g in repo.grids(proposal.community_code)}
    staff = repo.workers([g.id for g in grids.values()])
    workers = {code: staff[g.id] for code, g in grids.items() if g.id in staff}
    units = plan["units"]
    slots = [
        SlotRead(
            slot=s.slot,
            code=s.code,
            change=s.change,
            households=sum(units[u]["households"] for u in s.units),
            persons=sum(units[u]["persons"] for u in s.units),
            organisations=sum(units[u]["organisations"] for u in s.units),
            buildings=len(s.units),
            households_in=sum(
                units[u]["households"] for u in s.units if units[u]["grid"] != s.code
            ),
            from_codes=s.from_codes,
            worker=s.worker.name if s.worker else None,
            worker_staff_no=s.worker.staff_no if s.worker else None,
        )
        for s in slot_plans(plan, workers)
    ]
    violations = plan_violations(plan) if proposal.state == ProposalState.DRAFT else []
    return ProposalRead(
        id=proposal.id,
        community_code=proposal.community_code,
        state=proposal.state,
        stale=check_stale and is_stale(session, principal=principal, proposal=proposal),
        households_moved=proposal.households_moved,
        solver_status=proposal.solver_status,
        solve_seconds=proposal.solve_seconds,
        boundary_m=plan.get("boundary_m", 0.0),
        created_by=proposal.created_by,
        created_at=proposal.created_at,
        decided_by=proposal.decided_by,
        decided_at=proposal.decided_at,
        decision_note=proposal.decision_note,
        effective_at=proposal.effective_at,
        slots=slots,
        units=[
            UnitRead(
                index=i,
                key=u["key"],
                grid_code=u["grid"],
                households=u["households"],
                slot=plan["assignment"][i],
            )
            for i, u in enumerate(units)
        ],
        violations=[
            RuleRead(rule=v.rule, message=v.message, message_en=v.message_en) for v in violations
        ],
    )


def proposal_geojson(plan: dict) -> str:
    """Buildings' cells (with today's grid and proposed slot) and the proposed grid outlines."""
    features = []
    for u, unit in enumerate(plan["units"]):
        props = json.dumps(
            {
                "kind": "unit",
                "index": u,
                "key": unit["key"],
                "grid": unit["grid"],
                "slot": plan["assignment"][u],
                "households": unit["households"],
            },
            ensure_ascii=False,
        )
        features.append(f'{{"type":"Feature","properties":{props},"geometry":{unit["cell"]}}}')
    for slot, geometry in sorted(proposed_geometry(plan).items()):
        props = json.dumps({"kind": "slot", "slot": slot})
        features.append(
            f'{{"type":"Feature","properties":{props},"geometry":{to_geojson(geometry)}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def grid_at(
    session: Session,
    *,
    principal: Principal,
    record_type: str,
    record_id: int,
    current: str,
    at: datetime,
) -> str:
    """The grid a record belonged to at ``at``: the origin of the first move after that moment,
    or its grid today."""
    moves = RedivisionRepository(session, principal).moves_after(record_type, record_id, at)
    return moves[0].from_grid if moves else current
