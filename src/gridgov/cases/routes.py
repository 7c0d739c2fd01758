"""``/api/v1/cases``: intake, lists with filters, detail with timeline, every move of the loop,
reference data, the overdue set, public tracking and the SMS / e-mail gateway webhooks."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import current_principal, require_roles
from gridgov.authz.policy import CITY_OVERSIGHT, REPORTER_PHONE_ROLES
from gridgov.authz.principal import Principal, resident_principal
from gridgov.cases import intake, service, workflow
from gridgov.cases.repository import CaseFilter, CaseRepository
from gridgov.cases.schemas import (
    CaseCreate,
    CaseCreated,
    CaseDetail,
    CaseEventRead,
    CaseRead,
    CaseSummary,
    CategoryRead,
    CategoryUpdate,
    DepartmentRead,
    FullViewIn,
    InboundAck,
    InboundMessage,
    OverdueRead,
    ReporterPhone,
    TrackRead,
    TransitionIn,
)
from gridgov.cases.states import Move
from gridgov.kit.db import ends_request, request_session
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from gridgov.kit.pagination import Page, PageParams, page_params

router = APIRouter(prefix="/cases", tags=["cases"])

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": BadRequest.code},
    403: {"description": Forbidden.code},
    404: {"description": NotFound.code},
    409: {"description": Conflict.code},
}


@router.post("", response_model=CaseCreated, status_code=201, responses=ERRORS)
@ends_request  # the hot path of intake: one worker-thread hop, not two
def create_case(
    request: Request,
    response: Response,
    body: CaseCreate,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", min_length=1, max_length=100)
    ] = None,
) -> CaseCreated:
    """Report a case (clerk: hotline, walk-in, letter …; grid worker: ``worker_app``).

    With an ``Idempotency-Key`` header a retry (same key, same body) answers 200 with the case
    made the first time; the same key with another body is a 409."""
    idempotency = None
    if idempotency_key is not None:
        idempotency = intake.idempotency(principal, idempotency_key, body)
        earlier = service.replayed_case(session, principal=principal, idempotency=idempotency)
        if earlier is not None:
            response.status_code = 200
            read = service.to_read(session, earlier, principal=principal)
            return CaseCreated(**read.model_dump(), duplicate_candidates=[])
    result = intake.create_case(
        session,
        principal=principal,
        data=body,
        channel=body.channel,
        idempotency=idempotency,
        settings=request.app.state.settings,
    )
    read = service.to_read(session, result.case, principal=principal)
    return CaseCreated(
        **read.model_dump(),
        duplicate_candidates=[CaseSummary.model_validate(d) for d in result.duplicates],
    )


@router.get("", response_model=Page[CaseRead])
def list_cases(
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
    page: PageParams = Depends(page_params),
    state: Annotated[list[str] | None, Query()] = None,
    category: str | None = None,
    grid: str | None = None,
    department: str | None = None,
    channel: str | None = None,
    overdue: bool | None = None,
    warning: bool | None = None,
    supervised: bool | None = None,
    number: str | None = None,
) -> Page[CaseRead]:
    """Cases the caller may read, newest first; filters by state, category (minor or major
    class), grid (or any region-code prefix), department, channel, overdue, warning."""
    filters = CaseFilter(
        state=state or (),
        category_code=category,
        grid_code=grid,
        department_code=department,
        channel=channel,
        overdue=overdue,
        warning=warning,
        supervised=supervised,
        number=number,
    )
    items, total = service.list_cases(session, principal=principal, filters=filters, page=page)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get("/categories", response_model=list[CategoryRead])
def categories(
    _principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> list[CategoryRead]:
    return service.list_categories(session)


@router.patch("/categories/{code}", response_model=CategoryRead, responses=ERRORS)
def update_category(
    code: str,
    body: CategoryUpdate,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> CategoryRead:
    """Change a category's department, step deadlines or warning share (administrators)."""
    return service.update_category(session, principal=principal, code=code, data=body)


@router.get("/departments", response_model=list[DepartmentRead])
def departments(
    _principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> list[DepartmentRead]:
    return service.list_departments(session)


@router.get("/overdue", response_model=OverdueRead, responses=ERRORS)
def overdue(
    principal: Principal = Depends(require_roles(*CITY_OVERSIGHT)),
    session: Session = Depends(request_session, scope="function"),
    limit: int = Query(1000, ge=1, le=100_000),
) -> OverdueRead:
    """The city's overdue set (command centre and leaders)."""
    ids = service.overdue_ids(session)
    return OverdueRead(count=len(ids), ids=ids[:limit])


@router.get("/duplicates", response_model=list[CaseSummary], responses=ERRORS)
def duplicates(
    category: str,
    lng: float = Query(ge=-180, le=180),
    lat: float = Query(ge=-90, le=90),
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> list[CaseSummary]:
    """Open cases of the same category near a point (shown to the clerk before saving)."""
    rows = service.duplicates(
        session, principal=principal, category_code=category, lng=lng, lat=lat
    )
    return [CaseSummary.model_validate(c) for c in rows]


@router.get("/track/{number}", response_model=TrackRead, responses=ERRORS)
def track(number: str, session: Session = Depends(request_session, scope="function")) -> TrackRead:
    """Public: follow a case by its tracking number (no reporter data, public steps only)."""
    case, events = service.public_status(session, number=number)
    return TrackRead(
        number=case.number,
        state=case.state,
        status_note=case.status_note,
        category_code=case.category_code,
        reported_at=case.reported_at.isoformat(),
        events=[{"at": e.at.isoformat(), "move": e.move, "state": e.state_to} for e in events],
    )


def _inbound(
    session: Session, request: Request, body: InboundMessage, kind: str, key: str | None
) -> InboundAck:
    client = service.authenticate_client(session, key=key, kind=kind)
    existing = CaseRepository(session).by_external(client.id, body.message_id)
    if existing is not None:  # gateways retry: the same message never makes two cases
        return InboundAck(number=existing.number, id=existing.id, duplicate=True)
    text = body.text if not body.subject else f"{body.subject}\n{body.text}"
    phone = body.sender if kind == "sms" else None
    result = intake.create_case(
        session,
        principal=resident_principal(kind),
        data=CaseCreate(
            channel=kind,
            description=text,
            lng=body.lng,
            lat=body.lat,
            category_code=body.category_code,
            reporter_phone=phone,
            reporter_name=None if kind == "sms" else body.sender.split("@")[0],
        ),
        channel=kind,
        client_id=client.id,
        external_id=body.message_id,
        require_category=False,
        settings=request.app.state.settings,
    )
    return InboundAck(number=result.case.number, id=result.case.id)


def _gateway_key(
    authorization: str | None = Header(default=None), x_api_key: str | None = Header(default=None)
) -> str | None:
    if x_api_key:
        return x_api_key
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return None


@router.post(
    "/inbound/sms",
    response_model=InboundAck,
    status_code=201,
    responses={**ERRORS, 401: {"description": Unauthorized.code}},
)
def inbound_sms(
    request: Request,
    body: InboundMessage,
    key: str | None = Depends(_gateway_key),
    session: Session = Depends(request_session, scope="function"),
) -> InboundAck:
    """Webhook for the SMS gateway (``X-Api-Key`` or ``Authorization: Bearer``)."""
    return _inbound(session, request, body, "sms", key)


@router.post(
    "/inbound/email",
    response_model=InboundAck,
    status_code=201,
    responses={**ERRORS, 401: {"description": Unauthorized.code}},
)
def inbound_email(
    request: Request,
    body: InboundMessage,
    key: str | None = Depends(_gateway_key),
    session: Session = Depends(request_session, scope="function"),
) -> InboundAck:
    """Webhook for the e-mail gateway (``X-Api-Key`` or ``Authorization: Bearer``)."""
    return _inbound(session, request, body, "email", key)


@router.get("/{case_id}", response_model=CaseDetail, responses=ERRORS)
def get_case(
    case_id: int,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> CaseDetail:
    return service.get_detail(session, principal=principal, case_id=case_id)


@router.get("/{case_id}/timeline", response_model=list[CaseEventRead], responses=ERRORS)
def timeline(
    case_id: int,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> list[CaseEventRead]:
    return service.get_detail(session, principal=principal, case_id=case_id).events


@router.post("/{case_id}/reporter-phone", response_model=ReporterPhone, responses=ERRORS)
def reporter_phone(
    case_id: int,
    body: FullViewIn,
    principal: Principal = Depends(require_roles(*REPORTER_PHONE_ROLES)),
    session: Session = Depends(request_session, scope="function"),
) -> ReporterPhone:
    """The reporter's full phone number (clerks, dispatchers, shift leaders, the handling
    department), for a stated purpose; written to the trail."""
    phone = service.reporter_phone(
        session, principal=principal, case_id=case_id, purpose=body.purpose
    )
    return ReporterPhone(phone=phone)


# After every fixed sub-path: a move is any other word.
@router.post("/{case_id}/{move}", response_model=CaseRead, responses=ERRORS)
def make_move(
    case_id: int,
    move: Move,
    body: TransitionIn,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
    if_match: int | None = Header(default=None, description="Expected case version"),
) -> CaseRead:
    """One move of the loop: register, cancel, merge, amend, dispatch, accept, return, feedback,
    verify, close, rework, request_extension, approve_extension, reject_extension, hold, resume,
    supervise. 403 when the role may not make the move, 409 when the state does not allow it."""
    case = workflow.transition(
        session,
        principal=principal,
        case_id=case_id,
        move=move,
        body=body,
        expected_version=if_match,
    )
    return service.to_read(session, case, principal=principal)
