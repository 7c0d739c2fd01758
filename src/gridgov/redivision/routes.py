"""Grid re-division: API (drift, proposals, hand edits, approval)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import REDIVISION_DECIDERS, REDIVISION_VIEWERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import DbSession
from gridgov.redivision import apply, drift, service
from gridgov.redivision.repository import RedivisionRepository
from gridgov.redivision.schemas import (
    ApplyResult,
    ApproveIn,
    DecisionIn,
    DriftDay,
    DriftRead,
    MoveUnitIn,
    ProposalRead,
    ProposeIn,
)

router = APIRouter(prefix="/redivision", tags=["redivision"])

Viewer = Annotated[Principal, Depends(require_roles(*REDIVISION_VIEWERS))]
Decider = Annotated[Principal, Depends(require_roles(*REDIVISION_DECIDERS))]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    403: {"description": "Role may not do this"},
    404: {"description": "Unknown or out of scope"},
}
CODE = Query(pattern=r"^[0-9]{6,12}$", description="District, street or community code")


@router.get("/drift", response_model=DriftRead, responses=ERRORS)
def get_drift(
    session: DbSession,
    principal: Viewer,
    region: Annotated[str, CODE],
    out_of_range: bool = True,
) -> DriftRead:
    """Grids whose households left 200–300 (and their other loads), per community."""
    return drift.drift(
        session, principal=principal, region_code=region, only_out_of_range=out_of_range
    )


@router.get("/drift/history", response_model=list[DriftDay], responses=ERRORS)
def get_drift_history(
    session: DbSession,
    principal: Viewer,
    grid: Annotated[str, Query(pattern=r"^[0-9]{15}$", description="Grid code")],
) -> list[DriftDay]:
    """One grid's loads on every day the scheduler's ``redivision.drift`` checked them."""
    rows = RedivisionRepository(session, principal).drift_history(grid)
    return [DriftDay.model_validate(row, from_attributes=True) for row in rows]


@router.get(
    "/drift.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
)
def get_drift_geojson(
    session: DbSession, principal: Viewer, region: Annotated[str, CODE]
) -> Response:
    """Grid polygons with households and deviation from the range (map colouring)."""
    read = drift.drift(session, principal=principal, region_code=region)
    grids = RedivisionRepository(session, principal).grids(region)
    return Response(drift.drift_geojson(grids, read.grids), media_type="application/geo+json")


@router.post(
    "/proposals",
    response_model=ProposalRead,
    status_code=201,
    responses={**ERRORS, 409: {}, 422: {}},
)
def create_proposal(session: DbSession, principal: Decider, body: ProposeIn) -> ProposalRead:
    """Compute a new division of a community; 422 names the rule no division can meet."""
    proposal = service.propose(
        session, principal=principal, community_code=body.community_code, time_limit=body.time_limit
    )
    return service.proposal_read(session, principal=principal, proposal=proposal, check_stale=False)


@router.get("/proposals/{proposal_id}", response_model=ProposalRead, responses=ERRORS)
def get_proposal(session: DbSession, principal: Viewer, proposal_id: int) -> ProposalRead:
    proposal = service.get_proposal(session, principal=principal, proposal_id=proposal_id)
    return service.proposal_read(session, principal=principal, proposal=proposal)


@router.get(
    "/proposals/{proposal_id}/map.geojson",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
)
def get_proposal_geojson(session: DbSession, principal: Viewer, proposal_id: int) -> Response:
    """Buildings' cells (today's grid, proposed grid) and the proposed grid outlines."""
    proposal = service.get_proposal(session, principal=principal, proposal_id=proposal_id)
    return Response(service.proposal_geojson(proposal.plan), media_type="application/geo+json")


@router.post("/proposals/{proposal_id}/moves", response_model=ProposalRead, responses=ERRORS)
def move_building(
    session: DbSession, principal: Decider, proposal_id: int, body: MoveUnitIn
) -> ProposalRead:
    """Edit by hand: move one building (with its shops) to another grid of the proposal."""
    proposal = service.move_unit(
        session, principal=principal, proposal_id=proposal_id, unit=body.unit, slot=body.slot
    )
    return service.proposal_read(session, principal=principal, proposal=proposal)


@router.post(
    "/proposals/{proposal_id}/approve",
    response_model=ApplyResult,
    responses={**ERRORS, 409: {}, 422: {}},
)
def approve_proposal(
    session: DbSession, principal: Decider, proposal_id: int, body: ApproveIn
) -> ApplyResult:
    """Apply the proposal now, in one transaction, or schedule it for a later ``effective_at``
    (state ``scheduled``; the scheduler applies it then); 409 when it is stale (recompute)."""
    return apply.approve(
        session,
        principal=principal,
        proposal_id=proposal_id,
        note=body.note,
        effective_at=body.effective_at,
    )


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalRead, responses=ERRORS)
def reject_proposal(
    session: DbSession, principal: Decider, proposal_id: int, body: DecisionIn
) -> ProposalRead:
    proposal = service.reject(session, principal=principal, proposal_id=proposal_id, note=body.note)
    return service.proposal_read(session, principal=principal, proposal=proposal, check_stale=False)
