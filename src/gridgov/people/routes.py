"""HTTP API of persons and households (``/api/v1/persons``, ``/api/v1/households``).

Lists are in the caller's data scope; ID numbers and phones are masked unless a role allowed to
see them asks for ``/full-view`` with a purpose (written to the trail).

The person import (issue 10): the template, a check that keeps the file on the server under an
import id, then commit or discard by id (no second upload), and the error file."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import covers
from gridgov.authz.principal import Principal
from gridgov.housing.schemas import HouseRead
from gridgov.kit.db import request_session
from gridgov.kit.pagination import PageParams, page_params
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.people import import_files, service, staging
from gridgov.people.auth import FULL_VIEW_ROLES, IMPORT_ROLES, READ_ROLES, WRITE_ROLES
from gridgov.people.import_files import PersonUpload, workbook
from gridgov.people.importer import import_persons
from gridgov.people.repository import HouseholdRepository, PersonFilters, PersonRepository
from gridgov.people.schemas import (
    FullViewRequest,
    HouseholdCreateRequest,
    HouseholdDetail,
    HouseholdRead,
    HouseholdUpdateRequest,
    PersonCreateRequest,
    PersonDetail,
    PersonFullRead,
    PersonRead,
    PersonUpdateRequest,
)
from gridgov.people.stats import population_counts
from gridgov.people.tags import TAGS
from gridgov.web.i18n import request_language
from gridgov.web.record_api import ERRORS, RecordApi

router = APIRouter(tags=["population"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
FullViewer = Annotated[Principal, Depends(require_roles(*FULL_VIEW_ROLES))]
Importer = Annotated[Principal, Depends(require_roles(*IMPORT_ROLES))]
ImportId = Annotated[int, Path(ge=1)]
IMPORT_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid file, or nothing valid to import"},
    401: {"description": "Not signed in"},
    403: {"description": "Role not allowed"},
    404: {"description": "No such import of the caller's"},
    409: {"description": "The import was committed, discarded or has expired"},
}
Paging = Annotated[PageParams, Depends(page_params)]
PersonSort = Literal[
    "name", "-name", "name_pinyin", "birth_date", "-birth_date", "changed_at", "-changed_at",
    "grid_code", "id", "-id",
]  # fmt: skip
HouseholdSort = Literal[
    "household_no", "-household_no", "grid_code", "changed_at", "-changed_at", "id"
]


def person_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Full name, surname or given name (Chinese, from the start), pinyin "
            "or initials (prefix), a full ID number or phone (exact); indexed",
        ),
    ] = None,
    name: Annotated[
        str | None, Query(max_length=64, description="Any part of the Chinese name (scans)")
    ] = None,
    id_number: Annotated[str | None, Query(max_length=32)] = None,
    phone: Annotated[str | None, Query(max_length=20)] = None,
    address: Annotated[str | None, Query(max_length=100)] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    residence_type: Literal["registered", "floating", "foreign"] | None = None,
    living_status: Literal["alive", "deceased", "moved_away", "merged"] | None = None,
    sex: Literal["M", "F"] | None = None,
    tag: Annotated[str | None, Query(max_length=32)] = None,
    born_after: date | None = None,
    born_before: date | None = None,
    household_id: int | None = None,
    house_id: int | None = None,
    sort: PersonSort = "name",
) -> dict[str, Any]:
    filters = PersonFilters(
        q=q,
        name=name,
        id_number=id_number,
        phone=phone,
        address=address,
        region_code=region,
        residence_type=residence_type,
        living_status=living_status,
        sex=sex,
        tag=tag if tag in TAGS else (None if tag is None else "__none__"),
        born_after=born_after,
        born_before=born_before,
        household_id=household_id,
        house_id=house_id,
    )
    return {"filters": filters, "sort": sort}


def _person_detail(session: Session, principal: Principal, person: Person) -> PersonDetail:
    """One person (masked) with the household, its members and the house."""
    detail = PersonDetail.model_validate(PersonRead.model_validate(person).model_dump())
    links = service.person_links(session, principal=principal, person=person)
    if links.household is not None:
        detail.household = HouseholdRead.model_validate(links.household)
        detail.members = [PersonRead.model_validate(m) for m in links.members]
    if links.house is not None:
        detail.house = HouseRead.model_validate(links.house)
    return detail


RecordApi(
    singular="person",
    plural="persons",
    read=PersonRead,
    create_body=PersonCreateRequest,
    update_body=PersonUpdateRequest,
    filters=person_filters,
    repository=PersonRepository,
    create=lambda session, principal, body: service.create_person(
        session, principal=principal, person_in=body, reason=body.reason
    ),
    get=service.get_person,
    update=service.update_person,
    history=service.person_history,
    readers=READ_ROLES,
    writers=WRITE_ROLES,
    detail=PersonDetail,
    show=_person_detail,
    docs={
        "list": "Search the population in the caller's area; masked.",
        "get": "One person (masked) with the household, its members and the house.",
        "update": "Change the fields sent; ``base_version`` is the version the edit was made on.",
    },
).add_to(router)


@router.post("/persons/{person_id}/full-view", response_model=PersonFullRead, responses=ERRORS)
def person_full_view(
    person_id: int, body: FullViewRequest, session: SessionDep, principal: FullViewer
) -> Any:
    """The unmasked record; the purpose is written to the audit trail."""
    return service.full_view(
        session, principal=principal, person_id=person_id, purpose=body.purpose
    )


def household_filters(
    q: Annotated[str | None, Query(max_length=64, description="Number prefix or address")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    house_id: int | None = None,
    status: Literal["active", "dissolved"] | None = None,
    sort: HouseholdSort = "household_no",
) -> dict[str, Any]:
    return {"q": q, "region_code": region, "house_id": house_id, "status": status, "sort": sort}


def _household_detail(
    session: Session, principal: Principal, household: Household
) -> HouseholdDetail:
    members = service.household_members(session, principal=principal, household_id=household.id)
    return HouseholdDetail(
        **HouseholdRead.model_validate(household).model_dump(),
        members=[PersonRead.model_validate(m) for m in members],
    )


RecordApi(
    singular="household",
    plural="households",
    read=HouseholdRead,
    create_body=HouseholdCreateRequest,
    update_body=HouseholdUpdateRequest,
    filters=household_filters,
    repository=HouseholdRepository,
    create=lambda session, principal, body: service.create_household(
        session, principal=principal, household_in=body, reason=body.reason
    ),
    get=service.get_household,
    update=service.update_household,
    history=service.household_history,
    readers=READ_ROLES,
    writers=WRITE_ROLES,
    detail=HouseholdDetail,
    show=_household_detail,
).add_to(router)


@router.get("/population/counts", responses=ERRORS)
def counts(
    session: SessionDep,
    principal: Reader,
    region: Annotated[list[str], Query(max_length=2000)],
) -> dict[str, dict[str, float | int]]:
    """Population counts per region code (grid, community, street, district; ``""`` = city)."""
    wanted = [code for code in region if covers(principal, code.ljust(15, "0"), "read")]
    return {
        code: c.as_dict() for code, c in population_counts(session, region_codes=wanted).items()
    }


# The import (template, check kept on the server, commit/discard by id, error file).


@router.get("/persons/import/template", responses=IMPORT_ERRORS)
def import_template(request: Request, principal: Importer) -> Response:
    """The Excel template: the headers the import reads and a sheet of notes, in the caller's
    language (``?lang=en``: English headers, which the import reads too)."""
    return workbook(import_files.template(request_language(request)), "persons-template.xlsx")


@router.post("/persons/import", responses=IMPORT_ERRORS)
def import_persons_file(
    upload: PersonUpload,  # first: the file is parsed before the request's session begins
    session: SessionDep,
    principal: Importer,
    commit: bool = False,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Check every row. By default nothing is loaded: the rows are kept on the server for
    ``staging.KEEP`` under ``import_id`` (commit or discard it by id, download its error file).
    With ``commit=true`` the valid rows are loaded at once, in this request's transaction. Rows
    outside the caller's area are rejected. Big files: the CLI."""
    if commit:
        report = import_persons(
            session,
            principal=principal,
            rows=iter(upload.parsed),
            commit=True,
            reason=reason or f"上传导入 {upload.filename}",
        )
        return report.as_dict()
    staged = staging.stage_upload(session, principal=principal, upload=upload, reason=reason)
    return staging.as_dict(staged)


@router.get("/persons/imports/{import_id}", responses=IMPORT_ERRORS)
def get_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """A checked import of the caller's: its report and status."""
    return staging.as_dict(staging.get_own(session, principal=principal, import_id=import_id))


@router.post("/persons/imports/{import_id}/commit", responses=IMPORT_ERRORS)
def commit_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """Load the valid rows of a checked import (checked again against the base as it is now)."""
    staged = staging.import_checked(session, principal=principal, import_id=import_id)
    return staging.as_dict(staged)


@router.delete("/persons/imports/{import_id}", responses=IMPORT_ERRORS)
def discard_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """Drop a checked import without loading anything."""
    return staging.as_dict(staging.discard(session, principal=principal, import_id=import_id))


@router.get("/persons/imports/{import_id}/errors.xlsx", responses=IMPORT_ERRORS)
def import_errors(
    request: Request, import_id: ImportId, session: SessionDep, principal: Importer
) -> Response:
    """The rejected rows as uploaded, with the row number and the reason per row, in the
    caller's language."""
    staged, rows = staging.bad_rows(session, principal=principal, import_id=import_id)
    content = import_files.errors(rows, request_language(request))
    return workbook(content, f"import-{staged.id}-errors.xlsx")
