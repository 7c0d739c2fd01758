"""Grid re-division: pages (drift map and table, a proposal beside today's division)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import REDIVISION_DECIDERS, REDIVISION_VIEWERS
from gridgov.authz.principal import Principal
from gridgov.kit.clock import city_zone, utcnow
from gridgov.kit.db import DbSession
from gridgov.kit.errors import BadRequest
from gridgov.redivision import apply, drift, service
from gridgov.redivision.repository import RedivisionRepository
from gridgov.redivision.rules import DEFAULT_TIME_LIMIT
from gridgov.web.forms import attempt
from gridgov.web.i18n import N_, local_time
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, Depends(page_roles(*REDIVISION_VIEWERS))]
Decider = Annotated[Principal, Depends(page_roles(*REDIVISION_DECIDERS))]

add_nav(N_("网格调整"), "/redivision", set(REDIVISION_VIEWERS))


def _default_region(principal: Principal) -> str:
    return (principal.region_code or "420502")[:12]


@router.get("/redivision", response_class=HTMLResponse)
def drift_page(
    request: Request, principal: Viewer, session: DbSession, region: str | None = None
) -> HTMLResponse:
    return _drift(request, session, principal, region or _default_region(principal), None)


def _drift(
    request: Request, session: DbSession, principal: Principal, region: str, error: str | None
) -> HTMLResponse:
    read = drift.drift(session, principal=principal, region_code=region, only_out_of_range=True)
    return render(
        request,
        "redivision/drift.html",
        principal=principal,
        drift=read,
        region=region,
        may_decide=principal.role in REDIVISION_DECIDERS,
        error=error,
    )


@router.post(
    "/redivision/propose", dependencies=[Depends(csrf_protect)], response_class=HTMLResponse
)
def propose_page(
    request: Request,
    principal: Decider,
    session: DbSession,
    community: Annotated[str, Form(pattern=r"^[0-9]{12}$")],
    time_limit: Annotated[float, Form(ge=1, le=60)] = DEFAULT_TIME_LIMIT,
) -> Response:
    with attempt(session) as tried:
        proposal = service.propose(
            session, principal=principal, community_code=community, time_limit=time_limit
        )
    if tried.error:
        return _drift(request, session, principal, community, tried.message(request))
    return RedirectResponse(f"/redivision/proposals/{proposal.id}", status_code=303)


@router.get("/redivision/proposals/{proposal_id}", response_class=HTMLResponse)
def proposal_page(
    request: Request, proposal_id: int, principal: Viewer, session: DbSession
) -> HTMLResponse:
    return _proposal(request, session, principal, proposal_id, None)


def _proposal(
    request: Request, session: DbSession, principal: Principal, proposal_id: int, error: str | None
) -> HTMLResponse:
    proposal = service.get_proposal(session, principal=principal, proposal_id=proposal_id)
    read = service.proposal_read(session, principal=principal, proposal=proposal)
    community = RedivisionRepository(session, principal).communities(proposal.community_code)
    return render(
        request,
        "redivision/proposal.html",
        principal=principal,
        proposal=read,
        community=community[0] if community else None,
        may_decide=principal.role in REDIVISION_DECIDERS and read.state == "draft",
        may_cancel=principal.role in REDIVISION_DECIDERS and read.state == "scheduled",
        today=local_time(utcnow(), "%Y-%m-%d"),
        error=error,
    )


@router.post(
    "/redivision/proposals/{proposal_id}/{action}",
    dependencies=[Depends(csrf_protect)],
    response_class=HTMLResponse,
)
def decide_page(
    request: Request,
    proposal_id: int,
    action: str,
    principal: Decider,
    session: DbSession,
    note: Annotated[str, Form(max_length=200)] = "",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    unit: Annotated[int, Form(ge=0)] = 0,
    slot: Annotated[int, Form(ge=0)] = 0,
) -> Response:
    with attempt(session) as tried:
        if action == "approve":
            apply.approve(
                session,
                principal=principal,
                proposal_id=proposal_id,
                note=note or None,
                effective_at=_start_of(effective_on),
            )
        elif action == "reject":
            service.reject(session, principal=principal, proposal_id=proposal_id, note=note or None)
        elif action == "move":
            service.move_unit(
                session, principal=principal, proposal_id=proposal_id, unit=unit, slot=slot
            )
    if tried.error:
        return _proposal(request, session, principal, proposal_id, tried.message(request))
    return RedirectResponse(f"/redivision/proposals/{proposal_id}", status_code=303)


def _start_of(day: str) -> datetime | None:
    """The start of a chosen day in the city's zone (empty: now)."""
    if not day.strip():
        return None
    try:
        return datetime.combine(date.fromisoformat(day), time.min, tzinfo=city_zone())
    except ValueError as exc:
        raise BadRequest(
            "生效日期格式应为 年-月-日", "The effective date must be YYYY-MM-DD"
        ) from exc
