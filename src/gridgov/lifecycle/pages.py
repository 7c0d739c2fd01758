"""Life events, proxy services, timelines, the rules file and admission (准入): pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import (
    ADMISSION_OFFICERS,
    COMMAND_CENTRE,
    LIFECYCLE_STAFF,
    PROXY_HANDLERS,
    SYSTEM_ADMINS,
)
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, Role
from gridgov.kit.db import request_session
from gridgov.lifecycle import (
    admission,
    dataneeds,
    proxy,
    rulebook,
    rules,
    service,
    timeline,
)
from gridgov.lifecycle import listeners as _listeners  # noqa: F401  (registers the listener)
from gridgov.lifecycle.events import EVENT_TYPES
from gridgov.lifecycle.residence import expiring_by_grid, stage
from gridgov.lifecycle.schemas import AdmissionBody
from gridgov.people import service as people
from gridgov.web.forms import PostedForm
from gridgov.web.i18n import N_, label, request_language
from gridgov.web.names import grid_names, person_names
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(request_session, scope="function")]
EVENT_READERS = LIFECYCLE_STAFF | COMMAND_CENTRE | DEPARTMENT_ROLES | {Role.LEADER}
SERVICE_READERS = PROXY_HANDLERS | DEPARTMENT_ROLES | {Role.LEADER}
Reader = Annotated[Principal, Depends(page_roles(*EVENT_READERS))]
ServiceReader = Annotated[Principal, Depends(page_roles(*SERVICE_READERS))]
Staff = Annotated[Principal, Depends(page_roles(*LIFECYCLE_STAFF))]
Handler = Annotated[Principal, Depends(page_roles(*PROXY_HANDLERS))]
Department = Annotated[Principal, Depends(page_roles(*DEPARTMENT_ROLES))]
Admin = Annotated[Principal, Depends(page_roles(*SYSTEM_ADMINS))]
Office = Annotated[Principal, Depends(page_roles(*ADMISSION_OFFICERS))]
TimelineReader = Annotated[
    Principal, Depends(page_roles(*(LIFECYCLE_STAFF | COMMAND_CENTRE | {Role.GRID_WORKER})))
]
CSRF = [Depends(csrf_protect)]

add_nav(N_("生活事项"), "/lifecycle", set(EVENT_READERS))
add_nav(N_("代办服务"), "/lifecycle/services", set(SERVICE_READERS))
add_nav(N_("事项规则"), "/lifecycle/rules", set(SYSTEM_ADMINS))
add_nav(N_("准入管理"), "/lifecycle/admission", set(ADMISSION_OFFICERS))
add_nav(N_("数据需求"), "/lifecycle/data-needs", set(DEPARTMENT_ROLES))


def _words(request: Request) -> Any:
    """``words("dept", "WJ")``: the label of a code, or the code when none is known."""
    language = request_language(request)

    def words(group: str, code: str | None) -> str:
        return label(language, f"lifecycle.{group}", code) if code else "—"

    return words


def _month(request: Request) -> str:
    month = request.query_params.get("month") or ""
    return month if len(month) == 7 else admission.local_today().strftime("%Y-%m")


def _text(form: Any, name: str) -> str:
    return str(form.get(name) or "").strip()


# -- events and findings ------------------------------------------------------------------------
@router.get("/lifecycle", response_class=HTMLResponse)
def events_page(request: Request, session: DB, principal: Reader) -> HTMLResponse:
    findings = service.list_events(session, principal=principal, status=service.FINDING)
    recent = service.list_events(session, principal=principal, limit=50)
    permits = expiring_by_grid(session, principal=principal, month=_month(request))
    shown = [*findings, *recent]
    return render(
        request,
        "lifecycle/events.html",
        principal=principal,
        findings=findings,
        recent=recent,
        permits=permits[:30],
        grid_names=grid_names(
            session, [e.grid_code for e in shown] + [p["grid_code"] for p in permits[:30]]
        ),
        person_names=person_names(session, principal, [e.person_id for e in shown]),
        may_resolve=principal.role in LIFECYCLE_STAFF,
        words=_words(request),
    )


@router.post("/lifecycle/events/{event_id}/resolve", dependencies=CSRF)
def resolve_page(event_id: int, form: PostedForm, session: DB, principal: Staff) -> Any:
    service.resolve_finding(
        session, principal=principal, event_id=event_id, note=_text(form, "note") or "已处理"
    )
    return RedirectResponse("/lifecycle", status_code=303)


# -- proxy services -----------------------------------------------------------------------------
@router.get("/lifecycle/services", response_class=HTMLResponse)
def services_page(request: Request, session: DB, principal: ServiceReader) -> HTMLResponse:
    view = request.query_params.get("view", "open")
    rows = proxy.list_readable(
        session,
        principal=principal,
        states=("done", "rejected", "cancelled") if view == "closed" else proxy.OPEN,
        overdue_only=view == "overdue",
    )
    counts = proxy.counts(session, principal=principal)
    return render(
        request,
        "lifecycle/services.html",
        principal=principal,
        rows=rows,
        grid_names=grid_names(session, [r.grid_code for r in rows]),
        person_names=person_names(session, principal, [r.person_id for r in rows]),
        view=view,
        counts=counts,
        catalogue=proxy.catalogue(session),
        overdue={r.id for r in rows if proxy.is_overdue(r)},
        may_handle=principal.role in PROXY_HANDLERS,
        may_confirm=principal.role in DEPARTMENT_ROLES,
        words=_words(request),
    )


@router.post("/lifecycle/services/{service_id}/documents", dependencies=CSRF)
def documents_page(service_id: int, form: PostedForm, session: DB, principal: Handler) -> Any:
    documents = [str(d) for d in form.getlist("documents") if str(d).strip()]
    proxy.record_documents(
        session, principal=principal, service_id=service_id, documents=documents or ["—"]
    )
    return RedirectResponse("/lifecycle/services", status_code=303)


@router.post("/lifecycle/services/{service_id}/hand-over", dependencies=CSRF)
def hand_over_page(service_id: int, session: DB, principal: Handler) -> Any:
    proxy.hand_over(session, principal=principal, service_id=service_id)
    return RedirectResponse("/lifecycle/services", status_code=303)


@router.post("/lifecycle/services/{service_id}/confirm", dependencies=CSRF)
def confirm_page(service_id: int, form: PostedForm, session: DB, principal: Department) -> Any:
    proxy.confirm(
        session,
        principal=principal,
        service_id=service_id,
        done=_text(form, "done") != "no",
        result=_text(form, "result") or "已办结",
    )
    return RedirectResponse("/lifecycle/services", status_code=303)


@router.post("/lifecycle/persons/{person_id}/services", dependencies=CSRF)
def open_service_page(person_id: int, form: PostedForm, session: DB, principal: Handler) -> Any:
    person = people.get_person(session, principal=principal, person_id=person_id)
    proxy.open_service(
        session,
        principal=principal,
        code=_text(form, "code"),
        person_id=person.id,
        grid_code=person.grid_code,
    )
    return RedirectResponse(f"/lifecycle/persons/{person_id}", status_code=303)


# -- timeline -----------------------------------------------------------------------------------
@router.get("/lifecycle/persons/{person_id}", response_class=HTMLResponse)
def timeline_page(
    person_id: int, request: Request, session: DB, principal: TimelineReader
) -> HTMLResponse:
    found = timeline.timeline(session, principal=principal, person_id=person_id)
    return render(
        request,
        "lifecycle/timeline.html",
        principal=principal,
        person=found["person"],
        grid_names=grid_names(session, [found["person"].grid_code]),
        entries=found["entries"],
        family=found["family"],
        stage=stage(found["person"], date.today()),
        catalogue=proxy.catalogue(session),
        may_open=principal.role in PROXY_HANDLERS,
        words=_words(request),
    )


# -- rules --------------------------------------------------------------------------------------
def _rules_page(
    request: Request,
    session: DB,
    principal: Principal,
    text: str,
    checked: Any = None,
    saved: int | None = None,
) -> HTMLResponse:
    version, _ = rulebook.current_text(session)
    book, problems = rules.parse(text, modules=rulebook.known_modules(session))
    admitted = {a.kind for a in admission.list_admissions(session) if a.withdrawn_at is None}
    return render(
        request,
        "lifecycle/rules.html",
        principal=principal,
        version=version,
        text=text,
        book=book,
        problems=problems,
        checked=checked,
        saved=saved,
        admitted=admitted,
        event_types=EVENT_TYPES,
        words=_words(request),
    )


@router.get("/lifecycle/rules", response_class=HTMLResponse)
def rules_page(request: Request, session: DB, principal: Admin) -> HTMLResponse:
    _, text = rulebook.current_text(session)
    return _rules_page(request, session, principal, text)


@router.post("/lifecycle/rules", response_class=HTMLResponse, dependencies=CSRF)
def rules_post(request: Request, form: PostedForm, session: DB, principal: Admin) -> HTMLResponse:
    text = str(form.get("text") or "")
    if form.get("save") and not rules.parse(text, modules=rulebook.known_modules(session))[1]:
        saved = rulebook.save(session, principal=principal, text=text)
        return _rules_page(request, session, principal, text, checked=True, saved=saved.version)
    return _rules_page(request, session, principal, text, checked=True)


# -- admission (准入) and data needs ---------------------------------------------------------------
@router.get("/lifecycle/admission", response_class=HTMLResponse)
def admission_page(request: Request, session: DB, principal: Office) -> HTMLResponse:
    month = _month(request)
    admissions = admission.list_admissions(session)
    return render(
        request,
        "lifecycle/admission.html",
        principal=principal,
        month=month,
        admissions=admissions,
        held={a.kind: dataneeds.held(list(a.fields)) for a in admissions},
        modules_held=dataneeds.modules_collecting_held(session),
        workload=admission.workload(session, principal=principal, month=month),
        diversions=admission.list_diversions(session, principal=principal, month=month),
        needs=dataneeds.list_needs(session, principal=principal),
        words=_words(request),
    )


@router.post("/lifecycle/admission", dependencies=CSRF)
def admit_page(form: PostedForm, session: DB, principal: Office) -> Any:
    body = AdmissionBody(
        kind=_text(form, "kind"),
        title=_text(form, "title"),
        reference=_text(form, "reference"),
        legal_basis=_text(form, "legal_basis"),
        department_code=_text(form, "department_code"),
        frequency=_text(form, "frequency"),
        fields=[f.strip() for f in _text(form, "fields").split(",") if f.strip()],
        minutes_per_task=int(_text(form, "minutes_per_task") or 0) or 1,
    )
    admission.admit(session, principal=principal, body=body)
    return RedirectResponse("/lifecycle/admission", status_code=303)


@router.post("/lifecycle/admission/{kind}/withdraw", dependencies=CSRF)
def withdraw_page(kind: str, form: PostedForm, session: DB, principal: Office) -> Any:
    admission.withdraw(session, principal=principal, kind=kind, reason=_text(form, "note") or "—")
    return RedirectResponse("/lifecycle/admission", status_code=303)


@router.post("/lifecycle/data-needs/{need_id}/decide", dependencies=CSRF)
def decide_page(need_id: int, form: PostedForm, session: DB, principal: Office) -> Any:
    dataneeds.decide(
        session,
        principal=principal,
        need_id=need_id,
        approve=_text(form, "approve") == "yes",
        note=_text(form, "note") or None,
    )
    return RedirectResponse("/lifecycle/admission", status_code=303)


@router.get("/lifecycle/data-needs", response_class=HTMLResponse)
def needs_page(request: Request, session: DB, principal: Department) -> HTMLResponse:
    return render(
        request,
        "lifecycle/needs.html",
        principal=principal,
        needs=dataneeds.list_needs(session, principal=principal),
        fields=dataneeds.held(list(dataneeds.HELD)),
        words=_words(request),
    )


@router.post("/lifecycle/data-needs", dependencies=CSRF)
def declare_page(form: PostedForm, session: DB, principal: Department) -> Any:
    dataneeds.declare(
        session,
        principal=principal,
        fields=[str(f) for f in form.getlist("fields")],
        purpose=_text(form, "purpose"),
        legal_basis=_text(form, "legal_basis"),
    )
    return RedirectResponse("/lifecycle/data-needs", status_code=303)
