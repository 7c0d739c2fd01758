"""The centre corrects a reported case before registering it (issue 10: a resident's report
with an address but no point could never be registered): category, place on the map or from
the house register, address. The correction is the ``amend`` move, so it is in the timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.cases import workflow
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import CaseUpdate, TransitionIn
from gridgov.cases.states import RULES, Move
from gridgov.housing.repository import HouseRepository
from gridgov.kit.db import request_session
from gridgov.kit.errors import NotFound
from gridgov.models.case import Case
from gridgov.models.house import House
from gridgov.web.forms import form_number

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Amender = Annotated[Principal, Depends(page_roles(*RULES[Move.AMEND].roles))]
SUGGESTIONS = 10


def _readable_case(session: Session, principal: Principal, case_id: int) -> Case:
    case = CaseRepository(session).get_readable(principal, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在", f"Case {case_id} not found")
    return case


@router.get("/cases/{case_id}/addresses")
def address_suggestions(
    case_id: int,
    principal: Amender,
    session: DbSession,
    q: Annotated[str, Query(min_length=2, max_length=100)],
) -> JSONResponse:
    """Addresses of the house register matching ``q``, with their map point, for the case's
    location (houses the caller may read; the case must be one the caller may read)."""
    _readable_case(session, principal, case_id)
    stmt = (
        HouseRepository(session)
        .search(principal, q=q)
        .where(House.lng.is_not(None), House.lat.is_not(None))
        .with_only_columns(House.address, House.lng, House.lat, House.grid_code)
        .limit(SUGGESTIONS)
    )
    rows = session.execute(stmt).all()
    return JSONResponse(
        [
            {"address": address, "lng": lng, "lat": lat, "grid_code": grid}
            for address, lng, lat, grid in rows
        ]
    )


@router.post("/cases/{case_id}/amend", dependencies=[Depends(csrf_protect)])
def amend_case(
    case_id: int,
    principal: Amender,
    session: DbSession,
    category_code: Annotated[str, Form(max_length=16)] = "",
    lng: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    current = _readable_case(session, principal, case_id)
    amend = CaseUpdate(
        category_code=category_code or None,
        lng=form_number(lng),
        lat=form_number(lat),
        address=address if address.strip() and address != (current.address or "") else None,
    )
    if amend.lng == current.lng and amend.lat == current.lat:
        amend.lng = amend.lat = None  # the point as it was: not a change
    # A refusal (nothing changed, a point outside the city …) goes to the one error page.
    workflow.transition(
        session,
        principal=principal,
        case_id=case_id,
        move=Move.AMEND,
        body=TransitionIn(note=note or None, amend=amend),
        expected_version=int(version) if version.isdigit() else None,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
