"""Applying an approved proposal, in the caller's one transaction.

From the effective date: new grids exist with never-used codes; retired grids leave the base
layer (layer ``retired``) but keep their row, code, boundary, assignments and every past record
that names them; each house, household, person and organisation of a moved building, and every
facility, open case, open task and running patrol inside a changed grid refers to its new grid
(population records get a new version, every move a ``redivision_record_moves`` row, so the grid
a record had at any past moment can still be answered); workers are reassigned through the
assignment history with the proposal as reason, and the grid-worker accounts follow, so the
field app loads the new grid at its next sync. Closed cases, finished patrols and submissions
keep the grid of their time: last month's evaluation does not change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.cases.states import FINAL_STATES
from gridgov.grids.geometry import GridIndex, area_m2, to_geojson
from gridgov.grids.service import assign_worker
from gridgov.kit.clock import city_zone, utcnow
from gridgov.kit.errors import Conflict, Unprocessable
from gridgov.models.case import Case
from gridgov.models.facility import Facility
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.redivision import (
    GridChange,
    GridChangeKind,
    ProposalState,
    RecordGridMove,
    RedivisionProposal,
)
from gridgov.models.region import BASE_LAYER, OverlayCoverage, Region, RegionLevel
from gridgov.models.staff import Assignment, Staff
from gridgov.models.task import Task
from gridgov.models.user import User
from gridgov.models.versioning import ChangeSource, RecordVersion
from gridgov.people.stats import refresh_grid_stats
from gridgov.people.versioning import snapshot
from gridgov.redivision import service
from gridgov.redivision.repository import RedivisionRepository
from gridgov.redivision.schemas import ApplyResult

RETIRED_LAYER = "retired"
OPEN_TASK_STATES = ("open", "accepted")


def approve(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    note: str | None = None,
    effective_at: datetime | None = None,
) -> ApplyResult:
    """Apply a draft proposal now, or — with a later ``effective_at`` — schedule it: the checks
    run now, the scheduler's ``redivision.apply_due`` applies it at that moment."""
    repo = RedivisionRepository(session, principal)
    proposal = repo.proposal(proposal_id, for_update=True)
    if proposal is None:
        service.get_proposal(session, principal=principal, proposal_id=proposal_id)
        raise AssertionError  # get_proposal raised NotFound
    if proposal.state != ProposalState.DRAFT:
        raise Conflict("该方案已审批或已退回", "The proposal was already approved or rejected")
    division = service.load_division(
        session, principal=principal, community_code=proposal.community_code
    )
    if division.fingerprint != proposal.fingerprint:
        raise Conflict(
            "方案计算后社区的房屋、住户或网格已有变化，方案已过期，请重新计算",
            "Houses, households or grids of the community changed since the proposal was "
            "computed; the proposal is stale, recompute it",
            rule="stale",
        )
    broken = service.plan_violations(proposal.plan)
    if broken:
        first = broken[0]
        raise Unprocessable(first.message, first.message_en, rule=first.rule)
    now = utcnow()
    proposal.decided_by = principal.username
    proposal.decided_at = now
    proposal.decision_note = note
    if effective_at is not None and _aware(effective_at) > now:
        return _schedule(session, principal, proposal, division, _aware(effective_at))
    return _apply_now(session, principal, repo, proposal, division, now)


def _apply_now(
    session: Session,
    principal: Principal,
    repo: RedivisionRepository,
    proposal: RedivisionProposal,
    division: service.Division,
    at: datetime,
) -> ApplyResult:
    result = _apply(session, principal, repo, proposal, division, at)
    proposal.state = ProposalState.APPROVED
    proposal.effective_at = at
    _lapse_other_drafts(session, principal, repo, proposal)
    session.flush()
    trail.record(
        session,
        action="redivision.approve",
        object_type="redivision_proposal",
        object_id=proposal.id,
        principal=principal,
        before={"grids": [g.code for g in division.grids]},
        after=result.model_dump(mode="json"),
    )
    return result


def _lapse_other_drafts(
    session: Session,
    principal: Principal,
    repo: RedivisionRepository,
    applied: RedivisionProposal,
) -> None:
    """The community's other drafts were computed from the division that just ended: they lapse
    (in the trail) instead of waiting as stale links on the drift page."""
    for other in repo.proposals(applied.community_code, limit=500):
        if other.id == applied.id or other.state != ProposalState.DRAFT:
            continue
        other.state = ProposalState.LAPSED
        trail.record(
            session,
            action="redivision.lapse",
            object_type="redivision_proposal",
            object_id=other.id,
            principal=principal,
            after={"state": other.state},
            note=f"proposal {applied.id} of the community was applied",
        )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=city_zone())


def _schedule(
    session: Session,
    principal: Principal,
    proposal: RedivisionProposal,
    division: service.Division,
    effective_at: datetime,
) -> ApplyResult:
    proposal.state = ProposalState.SCHEDULED
    proposal.effective_at = effective_at
    proposal.structure_fingerprint = division.structure
    session.flush()
    result = ApplyResult(
        proposal_id=proposal.id,
        state=proposal.state,
        effective_at=effective_at,
        added=[],
        retired=[],
        changed=[],
        moved={},
        reassigned=[],
    )
    trail.record(
        session,
        action="redivision.schedule",
        object_type="redivision_proposal",
        object_id=proposal.id,
        principal=principal,
        after={"effective_at": effective_at.isoformat(), "note": proposal.decision_note},
    )
    return result


def apply_due(session: Session, *, principal: Principal, now: datetime) -> int:
    """Apply every scheduled proposal whose date has come (the job ``redivision.apply_due``).

    Households come and go while a proposal waits; a new or demolished building, or a grid
    changed meanwhile, lapses it instead (district staff recompute). Records move as of the
    scheduled moment, so a run after a night the server was down dates the change correctly.
    Returns the number of proposals applied or lapsed."""
    repo = RedivisionRepository(session, principal)
    done = 0
    for proposal in repo.due_proposals(now):
        division = service.load_division(
            session, principal=principal, community_code=proposal.community_code
        )
        assert proposal.effective_at is not None
        if division.structure != proposal.structure_fingerprint:
            proposal.state = ProposalState.LAPSED
            trail.record(
                session,
                action="redivision.lapse",
                object_type="redivision_proposal",
                object_id=proposal.id,
                principal=principal,
                after={"state": proposal.state},
                note="buildings or grids changed before the effective date",
            )
        else:
            _apply_now(session, principal, repo, proposal, division, _aware(proposal.effective_at))
        session.flush()
        done += 1
    return done


def _apply(
    session: Session,
    principal: Principal,
    repo: RedivisionRepository,
    proposal: RedivisionProposal,
    division: service.Division,
    now: datetime,
) -> ApplyResult:
    plan = proposal.plan
    grids = {g.code: g for g in division.grids}
    staff = repo.workers([g.id for g in division.grids])
    workers = {code: staff[g.id] for code, g in grids.items() if g.id in staff}
    slots = service.slot_plans(plan, workers)
    geometry = service.proposed_geometry(plan)
    sequence = repo.highest_grid_sequence(division.community.code)
    code_of: dict[int, str] = {}
    added: list[str] = []
    for slot in slots:
        if slot.code is None:
            sequence += 1
            if sequence > 999:
                raise Unprocessable(
                    "社区网格编号已用尽（最多 999 个）",
                    "The community has used all 999 grid numbers",
                )
            slot.code = f"{division.community.code}{sequence:03d}"
            added.append(slot.code)
        code_of[slot.slot] = slot.code
    units = plan["units"]
    households_before = Counter[str]()
    for unit in units:
        households_before[unit["grid"]] += unit["households"]

    changed: list[str] = []
    retired: list[str] = []
    for slot in slots:
        assert slot.code is not None
        after = sum(units[u]["households"] for u in slot.units)
        if slot.change is None:
            continue
        region = grids.get(slot.code)
        session.add(
            GridChange(
                proposal_id=proposal.id,
                grid_code=slot.code,
                kind=slot.change,
                effective_at=now,
                geometry_before=region.geometry if region else None,
                households_before=households_before.get(slot.code, 0),
                households_after=after,
                related_codes=slot.from_codes,
            )
        )
        if slot.change == GridChangeKind.RETIRED:
            assert region is not None
            region.layer = RETIRED_LAYER
            region.updated_at = now
            retired.append(slot.code)
            continue
        shape = geometry[slot.slot]
        values = _region_values(shape, now)
        if region is None:
            number = int(slot.code[12:])
            region = Region(
                code=slot.code,
                name=f"{division.community.name}第{number}网格",
                level=RegionLevel.GRID.value,
                layer=BASE_LAYER,
                parent_id=division.community.id,
                **values,
            )
            session.add(region)
            session.flush()
            grids[slot.code] = region
            _inherit_overlays(session, region, [grids[c] for c in slot.from_codes if c in grids])
        else:
            for key, value in values.items():
                setattr(region, key, value)
            changed.append(slot.code)
    session.flush()

    # Where each old grid's remaining records go when they have no building or point: the new
    # grid that took most of its households.
    successor: dict[str, str] = {}
    taken: dict[str, Counter[str]] = {}
    for u, slot_index in enumerate(plan["assignment"]):
        taken.setdefault(units[u]["grid"], Counter())[code_of[slot_index]] += (
            units[u]["households"] + 1
        )
    for old, counter in taken.items():
        successor[old] = counter.most_common(1)[0][0]
    house_to: dict[int, str] = {}
    for u, slot_index in enumerate(plan["assignment"]):
        if code_of[slot_index] != units[u]["grid"]:
            for house_id in units[u]["houses"]:
                house_to[house_id] = code_of[slot_index]
    touched = sorted(set(changed) | set(retired))
    new_index = GridIndex.build(
        [(code_of[s], geometry[s]) for s in geometry if code_of[s] not in retired]
    )
    mover = _Mover(session, principal, proposal, now)
    mover.population(house_to, successor, set(retired))
    mover.located(Facility, touched, new_index, successor, Facility.id.is_not(None))
    mover.located(
        Case, touched, new_index, successor, Case.state.not_in([str(s) for s in FINAL_STATES])
    )
    mover.located(Task, touched, new_index, successor, Task.state.in_(OPEN_TASK_STATES))
    mover.patrols(retired, successor)
    mover.flush()
    moved_facilities = mover.ids.get("facility", [])
    for facility in session.scalars(select(Facility).where(Facility.id.in_(moved_facilities))):
        facility.grid_id = grids[facility.grid_code].id
    reassigned = _reassign(session, principal, proposal, slots, workers, retired, now)
    session.flush()
    refresh_grid_stats(session, grid_codes=set(touched) | set(added))
    return ApplyResult(
        proposal_id=proposal.id,
        state=ProposalState.APPROVED,
        effective_at=now,
        added=added,
        retired=retired,
        changed=changed,
        moved={kind: len(ids) for kind, ids in mover.ids.items()},
        reassigned=reassigned,
    )


def _region_values(shape: Any, now: datetime) -> dict[str, Any]:
    minx, miny, maxx, maxy = shape.bounds
    centre = shape.centroid if shape.geom_type == "Polygon" else shape.representative_point()
    if not shape.covers(centre):
        centre = shape.representative_point()
    return {
        "geometry": to_geojson(shape),
        "min_lng": minx,
        "min_lat": miny,
        "max_lng": maxx,
        "max_lat": maxy,
        "center_lng": centre.x,
        "center_lat": centre.y,
        "area_m2": area_m2(shape),
        "updated_at": now,
    }


def _inherit_overlays(session: Session, region: Region, sources: Iterable[Region]) -> None:
    """A new grid lies under the overlay grids (e.g. commerce inspection) of the grids it came
    from."""
    ids = [s.id for s in sources]
    if not ids:
        return
    overlays = set(
        session.scalars(select(OverlayCoverage.overlay_id).where(OverlayCoverage.grid_id.in_(ids)))
    )
    if overlays:
        session.execute(
            insert(OverlayCoverage),
            [{"overlay_id": o, "grid_id": region.id} for o in sorted(overlays)],
        )


class _Mover:
    """Moves records to their new grid, one version and one move row per record."""

    def __init__(
        self, session: Session, principal: Principal, proposal: RedivisionProposal, now: datetime
    ) -> None:
        self.session = session
        self.principal = principal
        self.proposal = proposal
        self.now = now
        self.reason = f"网格调整方案 {proposal.id}"
        self.ids: dict[str, list[int]] = {}
        self.rows: list[dict[str, Any]] = []

    def _moved(self, kind: str, record_id: int, old: str, new: str) -> None:
        self.ids.setdefault(kind, []).append(record_id)
        self.rows.append(
            {
                "proposal_id": self.proposal.id,
                "record_type": kind,
                "record_id": record_id,
                "from_grid": old,
                "to_grid": new,
                "effective_at": self.now,
            }
        )

    def _versioned(self, kind: str, rows: Iterable[Any], target: Any) -> dict[int, str]:
        moved: dict[int, str] = {}
        for row in rows:
            new = target(row)
            if new is None or new == row.grid_code:
                continue
            self.session.add(
                RecordVersion(
                    record_type=kind,
                    record_id=row.id,
                    version=row.version,
                    data=snapshot(row),
                    changed_at=row.changed_at,
                    changed_by_id=row.changed_by_id,
                    changed_by_name=row.changed_by_name,
                    change_source=row.change_source,
                    change_reason=row.change_reason,
                )
            )
            self._moved(kind, row.id, row.grid_code, new)
            moved[row.id] = new
            row.grid_code = new
            row.version = row.version + 1
            row.changed_at = self.now
            row.changed_by_id = None if self.principal.system else self.principal.user_id
            row.changed_by_name = self.principal.username
            row.change_source = ChangeSource.STAFF.value
            row.change_reason = self.reason
        return moved

    def population(
        self, house_to: dict[int, str], successor: dict[str, str], retired: set[str]
    ) -> None:
        houses = list(house_to)
        retired_codes = sorted(retired)

        def rows(model: Any, *where: Any) -> list[Any]:
            return list(self.session.scalars(select(model).where(*where)))

        def follow(row: Any) -> str | None:
            if row.house_id is not None and row.house_id in house_to:
                return house_to[row.house_id]
            if row.grid_code in retired:
                return successor.get(row.grid_code)
            return None

        self._versioned("house", rows(House, House.id.in_(houses)), lambda r: house_to.get(r.id))
        household_to: dict[int, str] = {}
        for model, kind in ((Household, "household"), (Organisation, "organisation")):
            found = rows(model, model.house_id.in_(houses)) + rows(
                model, model.grid_code.in_(retired_codes)
            )
            moved = self._versioned(kind, _unique(found), follow)
            if model is Household:
                household_to = moved

        def person_target(row: Person) -> str | None:
            if row.household_id is not None and row.household_id in household_to:
                return household_to[row.household_id]
            return follow(row)

        people = rows(Person, Person.house_id.in_(houses))
        if household_to:
            people += rows(Person, Person.household_id.in_(list(household_to)))
        people += rows(Person, Person.grid_code.in_(retired_codes))
        self._versioned("person", _unique(people), person_target)

    def located(
        self, model: Any, grids: list[str], index: GridIndex, successor: dict[str, str], *where: Any
    ) -> None:
        """Records with a point go to the new grid holding the point; others (or a point outside
        the community) to the successor of their old grid."""
        kind = model.__tablename__.rstrip("s") if model is not Facility else "facility"
        if not grids:
            return
        found = list(self.session.scalars(select(model).where(model.grid_code.in_(grids), *where)))
        for row in found:
            new = None
            if row.lng is not None and row.lat is not None:
                new = index.locate(row.lng, row.lat)
            if new is None:
                new = successor.get(row.grid_code)
            if new is not None and new != row.grid_code:
                self._moved(kind, row.id, row.grid_code, new)
                row.grid_code = new

    def patrols(self, retired: list[str], successor: dict[str, str]) -> None:
        """A patrol still running in a retired grid continues in its successor; finished patrols
        stay where they were walked."""
        if not retired:
            return
        found = self.session.scalars(
            select(Patrol).where(Patrol.grid_code.in_(retired), Patrol.ended_at.is_(None))
        )
        for row in found:
            new = successor[row.grid_code]
            self._moved("patrol", row.id, row.grid_code, new)
            row.grid_code = new

    def flush(self) -> None:
        if self.rows:
            self.session.execute(insert(RecordGridMove), self.rows)
            self.rows = []


def _unique(rows: list[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for row in rows:
        if row.id not in seen:
            seen.add(row.id)
            out.append(row)
    return out


def _reassign(
    session: Session,
    principal: Principal,
    proposal: RedivisionProposal,
    slots: list[service.SlotPlan],
    workers: dict[str, Staff],
    retired: list[str],
    now: datetime,
) -> list[str]:
    """New grids get the workers the plan names (through the assignment history, with the
    proposal as reason); a retired grid's worker without a new grid is released. Accounts
    linked to a moved worker get the new grid as their scope."""
    reason = f"网格调整方案 {proposal.id}"
    done: list[str] = []
    placed: set[int] = set()
    for slot in slots:
        if slot.change != GridChangeKind.ADDED or slot.worker is None or slot.code is None:
            continue
        assign_worker(
            session,
            principal=principal,
            code=slot.code,
            staff_no=slot.worker.staff_no,
            reason=reason,
        )
        placed.add(slot.worker.id)
        session.execute(
            update(User).where(User.staff_id == slot.worker.id).values(region_code=slot.code)
        )
        done.append(f"{slot.worker.staff_no}→{slot.code}")
    for code in retired:
        worker = workers.get(code)
        if worker is None or worker.id in placed:
            continue
        # Only ended: the assignment's own reason stays what it was; the trail says why.
        session.execute(
            update(Assignment)
            .where(Assignment.staff_id == worker.id, Assignment.ended_at.is_(None))
            .values(ended_at=now)
        )
        trail.record(
            session,
            action="grid.release_worker",
            object_type="region",
            object_id=code,
            principal=principal,
            before={"staff_no": worker.staff_no},
            after={"reason": f"{reason}：网格 {code} 撤销"},
        )
        done.append(f"{worker.staff_no}→-")
    return done
