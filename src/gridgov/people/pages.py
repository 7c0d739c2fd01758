"""Population pages for community staff and the centre: search, person detail with history, the
person form, import upload and export. They call the same services as the API. Households have
their pages in ``household_pages.py``, houses in gridgov.housing.pages, organisations in
gridgov.organisations.pages."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import MIN_PURPOSE_LENGTH
from gridgov.authz.principal import Principal
from gridgov.housing.repository import HouseRepository
from gridgov.kit.db import request_session
from gridgov.kit.errors import GridgovError
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models.person import Person
from gridgov.organisations.repository import OrganisationRepository
from gridgov.people import (
    service,
    vocabulary,  # noqa: F401  (the words of the population codes)
)
from gridgov.people.auth import (
    EXPORT_ROLES,
    FULL_VIEW_ROLES,
    IMPORT_ROLES,
    READ_ROLES,
    WRITE_ROLES,
)
from gridgov.people.exporter import export_persons, export_table
from gridgov.people.household_pages import router as household_router
from gridgov.people.import_pages import router as import_router
from gridgov.people.repository import HouseholdRepository, PersonFilters
from gridgov.people.schemas import PersonCreate, PersonUpdate
from gridgov.people.stats import population_counts
from gridgov.people.tags import TAGS
from gridgov.web import record_forms
from gridgov.web.forms import PostedForm
from gridgov.web.i18n import N_, gettext, request_language
from gridgov.web.i18n import label as i18n_label
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
router.include_router(import_router)  # the import: template, check, commit, error file
router.include_router(household_router)  # a household's page and edit form
add_nav(N_("实有人口"), "/people", set(READ_ROLES))

DbSession = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(page_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(page_roles(*WRITE_ROLES))]
FullViewer = Annotated[Principal, Depends(page_roles(*FULL_VIEW_ROLES))]
Exporter = Annotated[Principal, Depends(page_roles(*EXPORT_ROLES))]
PAGE_SIZE = 50
# A broad city-wide search counts at most this many ("more than 10,000"), never the whole city.
COUNT_CAP = 10_000
KINDS = ("persons", "households", "houses", "organisations")
SEARCHES: dict[str, Callable[[Session], Any]] = {  # XRepository(session).search(principal, …)
    "households": HouseholdRepository,
    "houses": HouseRepository,
    "organisations": OrganisationRepository,
}
EDIT_FIELDS = (
    "name", "sex", "birth_date", "ethnicity", "phone", "registered_address", "current_address",
    "residence_type", "living_status", "moved_in_on", "permit_expires_on", "relation_to_head",
    "grid_code",
)  # fmt: skip


def form_errors(error: ValidationError | GridgovError, language: str) -> list[str]:
    """A person form's messages, each field named in the page's language."""
    return record_forms.form_errors(
        error, language, lambda field: i18n_label(language, "person_field", field)
    )


@router.get("/people", response_class=HTMLResponse)
def people_search(
    request: Request,
    session: DbSession,
    principal: Reader,
    kind: str = "persons",
    q: Annotated[str | None, Query(max_length=64)] = None,
    region: Annotated[str | None, Query(max_length=15)] = None,
    residence_type: str | None = None,
    tag: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> HTMLResponse:
    kind = kind if kind in KINDS else "persons"
    region = region if region and region.isdigit() else None
    page = PageParams(limit=PAGE_SIZE, offset=offset)
    rows: list[Any]
    if kind == "persons":
        filters = PersonFilters(
            q=q or None,
            region_code=region,
            residence_type=residence_type or None,
            tag=tag if tag in TAGS else None,
        )
        rows, total = service.list_persons(
            session, principal=principal, filters=filters, page=page, count_cap=COUNT_CAP
        )
    else:
        search = SEARCHES[kind](session).search(principal, q=q or None, region_code=region)
        rows, total = paginate(session, search, page)
    counts = None
    if region:
        counts = population_counts(session, region_codes=[region])[region].as_dict()
    query = {
        "kind": kind,
        "q": q or "",
        "region": region or "",
        "residence_type": residence_type or "",
        "tag": tag or "",
    }
    return render(
        request,
        "people/list.html",
        principal=principal,
        page_title=gettext(request_language(request), "实有人口"),
        kind=kind,
        kinds=KINDS,
        rows=rows,
        total=total,
        count_cap=COUNT_CAP,
        page=page,
        query=query,
        tags=TAGS,
        counts=counts,
        can_write=principal.role in WRITE_ROLES,
        can_import=principal.role in IMPORT_ROLES,
        can_export=principal.role in EXPORT_ROLES,
    )


def _person_page(
    request: Request,
    session: Session,
    principal: Principal,
    person_id: int,
    *,
    full: Any = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    person = service.get_person(session, principal=principal, person_id=person_id)
    links = service.person_links(session, principal=principal, person=person)
    household, members, house = links.household, links.members, links.house
    return render(
        request,
        "people/person.html",
        status_code=status_code,
        principal=principal,
        page_title=person.name,
        person=person,
        household=household,
        members=members or [],
        house=house,
        history=service.person_history(session, principal=principal, person_id=person_id),
        full=full,
        errors=errors or [],
        can_full_view=principal.role in FULL_VIEW_ROLES,
        can_write=principal.role in WRITE_ROLES,
        saved=request.query_params.get("saved") == "1",
    )


def _person_form(
    request: Request,
    principal: Principal,
    person: Person | None,
    values: dict[str, Any],
    errors: list[str],
    selected_tags: list[str],
    status_code: int = 200,
) -> HTMLResponse:
    """The person form: a new person (``person`` None) or an edit, with what was typed."""
    return render(
        request,
        "people/person_form.html",
        status_code=status_code,
        principal=principal,
        page_title=person.name if person else gettext(request_language(request), "登记人员"),
        person=person,
        values=values,
        errors=errors,
        tags=TAGS,
        selected_tags=selected_tags,
    )


@router.get("/people/persons/new", response_class=HTMLResponse)
def person_new(request: Request, principal: Writer) -> HTMLResponse:
    grid = (
        principal.region_code if principal.region_code and len(principal.region_code) == 15 else ""
    )
    return _person_form(request, principal, None, {"grid_code": grid}, [], [])


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (*EDIT_FIELDS, "id_type", "id_number", "reason", "base_version"):
        value = form.get(name)
        if isinstance(value, str):
            values[name] = value.strip()
    return values


def _clean(values: dict[str, Any], *, for_update: bool) -> dict[str, Any]:
    """Blank optional fields mean "none" (on update: leave blank text fields unchanged)."""
    data: dict[str, Any] = {}
    for key, value in values.items():
        if key in ("reason", "base_version"):
            continue
        if value == "":
            if for_update and key in (
                "name",
                "sex",
                "birth_date",
                "grid_code",
                "residence_type",
                "living_status",
                "id_type",
                "id_number",
            ):
                continue
            value = None
        data[key] = value
    return data


@router.post(
    "/people/persons/new", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def person_create(
    request: Request, session: DbSession, principal: Writer, form: PostedForm
) -> Response:
    values = _form_values(form)
    selected = [t for t in form.getlist("tags") if isinstance(t, str) and t in TAGS]
    data = _clean(values, for_update=False)
    data["tags"] = [{"code": t, "source": "staff"} for t in selected]
    try:
        person_in = PersonCreate.model_validate(data)
        person = service.create_person(
            session, principal=principal, person_in=person_in, reason=values.get("reason") or None
        )
    except (ValidationError, GridgovError) as exc:
        errors = form_errors(exc, request_language(request))
        return _person_form(request, principal, None, values, errors, selected, 422)
    return RedirectResponse(f"/people/persons/{person.id}?saved=1", status_code=303)


@router.get("/people/persons/{person_id}", response_class=HTMLResponse)
def person_detail(
    request: Request, session: DbSession, principal: Reader, person_id: int
) -> HTMLResponse:
    return _person_page(request, session, principal, person_id)


@router.post(
    "/people/persons/{person_id}/full-view",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def person_full_view(
    request: Request,
    session: DbSession,
    principal: FullViewer,
    person_id: int,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    if len(purpose.strip()) < MIN_PURPOSE_LENGTH:
        return _person_page(
            request,
            session,
            principal,
            person_id,
            errors=[gettext(request_language(request), "请填写查看用途")],
            status_code=422,
        )
    full = service.full_view(
        session, principal=principal, person_id=person_id, purpose=purpose.strip()
    )
    return _person_page(request, session, principal, person_id, full=full)


@router.get("/people/persons/{person_id}/edit", response_class=HTMLResponse)
def person_edit(
    request: Request, session: DbSession, principal: Writer, person_id: int
) -> HTMLResponse:
    person = service.get_person(session, principal=principal, person_id=person_id)
    values = {name: getattr(person, name, None) for name in EDIT_FIELDS}
    values["phone"] = ""
    values["base_version"] = person.version
    return _person_form(
        request, principal, person, values, [], [t["code"] for t in person.tags or []]
    )


@router.post(
    "/people/persons/{person_id}/edit",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def person_update(
    request: Request, session: DbSession, principal: Writer, person_id: int, form: PostedForm
) -> Response:
    person = service.get_person(session, principal=principal, person_id=person_id)
    values = _form_values(form)
    selected = [t for t in form.getlist("tags") if isinstance(t, str) and t in TAGS]
    data = _clean(values, for_update=True)
    if not values.get("phone"):
        data.pop("phone", None)  # blank = keep the stored (masked) phone
    sources = {t["code"]: t.get("source", "staff") for t in person.tags or []}
    data["tags"] = [{"code": t, "source": sources.get(t, "staff")} for t in selected]
    try:
        base_version = int(values.get("base_version") or 0) or None
        changes = PersonUpdate.model_validate(data)
        service.update_person(
            session,
            principal=principal,
            person_id=person_id,
            changes=changes,
            reason=values.get("reason") or None,
            base_version=base_version,
        )
    except (ValidationError, GridgovError) as exc:
        person = service.get_person(session, principal=principal, person_id=person_id)
        status = 409 if getattr(exc, "status_code", 422) == 409 else 422
        errors = form_errors(exc, request_language(request))
        return _person_form(request, principal, person, values, errors, selected, status)
    return RedirectResponse(f"/people/persons/{person_id}?saved=1", status_code=303)


@router.get("/people/export")
def export_download(
    session: DbSession,
    principal: Exporter,
    background: BackgroundTasks,
    kind: str = "persons",
    region: Annotated[str | None, Query(max_length=15)] = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(csv|xlsx)$")] = "xlsx",
) -> FileResponse:
    """The caller's area (or a part of it) as CSV or Excel, masked; written to the trail."""
    kind = kind if kind in KINDS else "persons"
    with tempfile.NamedTemporaryFile(suffix=f".{fmt}", delete=False) as handle:
        path = Path(handle.name)
    region_code = region if region and region.isdigit() else None
    if kind == "persons":
        export_persons(session, principal=principal, path=path, region_code=region_code)
    else:
        export_table(session, kind=kind, principal=principal, path=path, region_code=region_code)
    background.add_task(path.unlink, missing_ok=True)
    return FileResponse(path, filename=f"{kind}-{region_code or 'all'}.{fmt}")
