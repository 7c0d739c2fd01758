"""Life events, rules, proxy services, timelines, admission (准入) and data needs: API."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal, require_roles
from gridgov.authz.policy import (
    ADMISSION_OFFICERS,
    LIFECYCLE_STAFF,
    PROXY_HANDLERS,
    SYSTEM_ADMINS,
)
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, Role
from gridgov.kit.db import request_session
from gridgov.lifecycle import admission, dataneeds, proxy, rulebook, rules, service, timeline
from gridgov.lifecycle import listeners as _listeners  # noqa: F401  (registers the listener)
from gridgov.lifecycle import residence as residence_cycle
from gridgov.lifecycle.events import Event
from gridgov.lifecycle.schemas import (
    AdmissionBody,
    AdmissionRead,
    ConfirmIn,
    DataNeedIn,
    DataNeedRead,
    DiversionIn,
    DiversionRead,
    DocumentsIn,
    EventIn,
    EventRead,
    NoteIn,
    RulesIn,
    ServiceOpen,
    ServiceRead,
)
from gridgov.people import service as people
from gridgov.people.schemas import PersonRead

router = APIRouter(prefix="/lifecycle", tags=["lifecycle"])
DB = Annotated[Session, Depends(request_session, scope="function")]
Department = Annotated[Principal, Depends(require_roles(*DEPARTMENT_ROLES))]
Staff = Annotated[Principal, Depends(require_roles(*LIFECYCLE_STAFF))]
Handler = Annotated[Principal, Depends(require_roles(*PROXY_HANDLERS))]
Admin = Annotated[Principal, Depends(require_roles(*SYSTEM_ADMINS))]
Office = Annotated[Principal, Depends(require_roles(*ADMISSION_OFFICERS))]
Worker = Annotated[Principal, Depends(require_roles(Role.GRID_WORKER))]


# -- events -------------------------------------------------------------------------------------
@router.post("/events", status_code=201)
def push_event(body: EventIn, session: DB, principal: Department) -> EventRead:
    """A department's notification (idempotent on ``source_ref``)."""
    row = service.receive(
        session,
        principal=principal,
        event=Event(
            event_type=body.event_type,
            source=principal.department_code or "",
            source_ref=body.source_ref,
            occurred_on=body.occurred_on,
            data=body.data,
        ),
    )
    return EventRead.model_validate(row)


@router.get("/events")
def list_events(
    session: DB,
    principal: CurrentPrincipal,
    status: str | None = None,
    event_type: str | None = None,
) -> list[EventRead]:
    rows = service.list_events(session, principal=principal, status=status, event_type=event_type)
    return [EventRead.model_validate(r) for r in rows]


@router.get("/events/{event_id}")
def get_event(event_id: int, session: DB, principal: CurrentPrincipal) -> EventRead:
    return EventRead.model_validate(
        service.get_event(session, principal=principal, event_id=event_id)
    )


@router.post("/events/{event_id}/resolve")
def resolve_finding(event_id: int, body: NoteIn, session: DB, principal: Staff) -> EventRead:
    row = service.resolve_finding(session, principal=principal, event_id=event_id, note=body.note)
    return EventRead.model_validate(row)


# -- rules --------------------------------------------------------------------------------------
@router.get("/rules")
def get_rules(session: DB, principal: Admin) -> dict[str, Any]:
    version, text = rulebook.current_text(session)
    return {"version": version, "text": text}


@router.post("/rules/check")
def check_rules(body: RulesIn, session: DB, principal: Admin) -> dict[str, Any]:
    book, problems = rules.parse(body.text, modules=rulebook.known_modules(session))
    return {
        "rules": len(book.rules),
        "services": len(book.services),
        "problems": [p.as_dict() for p in problems],
    }


@router.put("/rules")
def save_rules(body: RulesIn, session: DB, principal: Admin) -> dict[str, Any]:
    saved = rulebook.save(session, principal=principal, text=body.text)
    return {"version": saved.version}


# -- proxy services (代办) ----------------------------------------------------------------------
@router.get("/services/catalogue")
def service_catalogue(session: DB, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    return [
        {
            "code": s.code,
            "title": s.title,
            "title_en": s.title_en,
            "department": s.department,
            "documents": list(s.documents),
            "deadline_working_days": s.deadline_working_days,
        }
        for s in proxy.catalogue(session).values()
    ]


def _service_read(row: Any) -> ServiceRead:
    read = ServiceRead.model_validate(row)
    read.overdue = proxy.is_overdue(row)
    return read


@router.get("/services")
def list_services(
    session: DB,
    principal: CurrentPrincipal,
    state: Annotated[list[str] | None, Query()] = None,
    person_id: int | None = None,
    overdue: bool = False,
) -> list[ServiceRead]:
    rows = proxy.list_readable(
        session,
        principal=principal,
        states=tuple(state) if state else proxy.OPEN,
        person_id=person_id,
        overdue_only=overdue,
    )
    return [_service_read(r) for r in rows]


@router.get("/services/counts")
def service_counts(session: DB, principal: CurrentPrincipal) -> dict[str, int]:
    return proxy.counts(session, principal=principal)


@router.post("/services", status_code=201)
def open_service(body: ServiceOpen, session: DB, principal: Handler) -> ServiceRead:
    person = people.get_person(session, principal=principal, person_id=body.person_id)
    row = proxy.open_service(
        session,
        principal=principal,
        code=body.code,
        person_id=person.id,
        grid_code=person.grid_code,
    )
    return _service_read(row)


@router.post("/services/{service_id}/documents")
def record_documents(
    service_id: int, body: DocumentsIn, session: DB, principal: Handler
) -> ServiceRead:
    row = proxy.record_documents(
        session, principal=principal, service_id=service_id, documents=body.documents
    )
    return _service_read(row)


@router.post("/services/{service_id}/hand-over")
def hand_over(service_id: int, session: DB, principal: Handler) -> ServiceRead:
    return _service_read(proxy.hand_over(session, principal=principal, service_id=service_id))


@router.post("/services/{service_id}/confirm")
def confirm(service_id: int, body: ConfirmIn, session: DB, principal: Department) -> ServiceRead:
    row = proxy.confirm(
        session, principal=principal, service_id=service_id, done=body.done, result=body.result
    )
    return _service_read(row)


# -- people over time ---------------------------------------------------------------------------
@router.get("/persons/{person_id}/timeline")
def person_timeline(person_id: int, session: DB, principal: CurrentPrincipal) -> dict[str, Any]:
    found = timeline.timeline(session, principal=principal, person_id=person_id)
    return {
        "person": PersonRead.model_validate(found["person"]).model_dump(mode="json"),
        "entries": found["entries"],
        "family": found["family"],
    }


@router.get("/permits/expiring")
def permits_expiring(
    session: DB, principal: CurrentPrincipal, month: str | None = None
) -> list[dict[str, Any]]:
    """Per grid: floating residents whose permit expires in the month (default: this one)."""
    return residence_cycle.expiring_by_grid(
        session, principal=principal, month=month or admission.local_today().strftime("%Y-%m")
    )


# -- admission (准入) -----------------------------------------------------------------------------
@router.get("/admissions")
def list_admissions(session: DB, principal: CurrentPrincipal) -> list[AdmissionRead]:
    return [AdmissionRead.model_validate(r) for r in admission.list_admissions(session)]


@router.post("/admissions", status_code=201)
def admit(body: AdmissionBody, session: DB, principal: Office) -> dict[str, Any]:
    row = admission.admit(session, principal=principal, body=body)
    return {
        "admission": AdmissionRead.model_validate(row).model_dump(mode="json"),
        "already_held": dataneeds.held(list(row.fields)),
    }


@router.post("/admissions/{kind}/withdraw")
def withdraw(kind: str, body: NoteIn, session: DB, principal: Office) -> AdmissionRead:
    row = admission.withdraw(session, principal=principal, kind=kind, reason=body.note)
    return AdmissionRead.model_validate(row)


@router.get("/admissions/workload")
def workload(session: DB, principal: Office, month: str | None = None) -> list[dict[str, Any]]:
    return admission.workload(
        session, principal=principal, month=month or admission.local_today().strftime("%Y-%m")
    )


@router.post("/diversions", status_code=201)
def report_diversion(body: DiversionIn, session: DB, principal: Worker) -> DiversionRead:
    row = admission.report_diversion(session, principal=principal, **body.model_dump())
    return DiversionRead.model_validate(row)


@router.get("/diversions")
def list_diversions(
    session: DB, principal: CurrentPrincipal, month: str | None = None
) -> list[DiversionRead]:
    rows = admission.list_diversions(
        session, principal=principal, month=month or admission.local_today().strftime("%Y-%m")
    )
    return [DiversionRead.model_validate(r) for r in rows]


# -- data needs ---------------------------------------------------------------------------------
@router.get("/data-needs/fields")
def data_fields(principal: CurrentPrincipal) -> list[dict[str, str]]:
    return dataneeds.held(list(dataneeds.HELD))


@router.post("/data-needs", status_code=201)
def declare_need(body: DataNeedIn, session: DB, principal: Department) -> DataNeedRead:
    need = dataneeds.declare(session, principal=principal, **body.model_dump())
    return DataNeedRead.model_validate(need)


@router.get("/data-needs")
def list_needs(session: DB, principal: CurrentPrincipal) -> list[DataNeedRead]:
    return [
        DataNeedRead.model_validate(n) for n in dataneeds.list_needs(session, principal=principal)
    ]


@router.post("/data-needs/{need_id}/approve")
def approve_need(need_id: int, body: NoteIn, session: DB, principal: Office) -> DataNeedRead:
    need = dataneeds.decide(
        session, principal=principal, need_id=need_id, approve=True, note=body.note
    )
    return DataNeedRead.model_validate(need)


@router.post("/data-needs/{need_id}/reject")
def reject_need(need_id: int, body: NoteIn, session: DB, principal: Office) -> DataNeedRead:
    need = dataneeds.decide(
        session, principal=principal, need_id=need_id, approve=False, note=body.note
    )
    return DataNeedRead.model_validate(need)


@router.get("/data-needs/{need_id}/records")
def need_records(
    need_id: int,
    session: DB,
    principal: Department,
    grid: str | None = Query(default=None, pattern=r"^\d{6,15}$"),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=100, ge=1, le=dataneeds.MAX_ROWS),
) -> list[dict[str, Any]]:
    return dataneeds.serve(
        session, principal=principal, need_id=need_id, grid_prefix=grid, offset=offset, limit=limit
    )
