"""HTTP API of persons and households (``/api/v1/persons``, ``/api/v1/households``).

Lists are in the caller's data scope; ID numbers and phones are masked unless a role allowed to
see them asks for ``/full-view`` with a purpose (written to the trail)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import covers
from gridgov.authz.principal import Principal
from gridgov.housing.schemas import HouseRead
from gridgov.kit.db import request_session
from gridgov.kit.pagination import Page, PageParams, page_params
from gridgov.people import service
from gridgov.people.auth import FULL_VIEW_ROLES, READ_ROLES, WRITE_ROLES
from gridgov.people.import_routes import router as import_router
from gridgov.people.repository import PersonFilters
from gridgov.people.schemas import (
    FullViewRequest,
    HouseholdCreateRequest,
    HouseholdDetail,
    HouseholdRead,
    HouseholdUpdateRequest,
    PersonCreateRequest,
    PersonFullRead,
    PersonRead,
    PersonUpdateRequest,
    VersionRead,
)
from gridgov.people.stats import population_counts
from gridgov.people.tags import TAGS

router = APIRouter(tags=["population"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*READ_ROLES))]
Writer = Annotated[Principal, Depends(require_roles(*WRITE_ROLES))]
FullViewer = Annotated[Principal, Depends(require_roles(*FULL_VIEW_ROLES))]
Paging = Annotated[PageParams, Depends(page_params)]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid data (e.g. unknown grid)"},
    401: {"description": "Not signed in"},
    403: {"description": "Role or area not allowed"},
    404: {"description": "Not found or outside the caller's area"},
    409: {"description": "Duplicate, or edited on a stale version"},
}
PersonSort = Literal[
    "name", "-name", "name_pinyin", "birth_date", "-birth_date", "changed_at", "-changed_at",
    "grid_code", "id", "-id",
]  # fmt: skip
HouseholdSort = Literal[
    "household_no", "-household_no", "grid_code", "changed_at", "-changed_at", "id"
]


class PersonDetail(PersonRead):
    household: HouseholdRead | None = None
    members: list[PersonRead] = []
    house: HouseRead | None = None


@router.get("/persons", response_model=Page[PersonRead], responses=ERRORS)
def list_persons(
    session: SessionDep,
    principal: Reader,
    page: Paging,
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
) -> Page[PersonRead]:
    """Search the population in the caller's area; masked."""
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
    rows, total = service.list_persons(
        session, principal=principal, filters=filters, sort=sort, page=page
    )
    return Page.of(rows, total, page, PersonRead)


@router.post("/persons", response_model=PersonRead, status_code=201, responses=ERRORS)
def create_person(body: PersonCreateRequest, session: SessionDep, principal: Writer) -> Any:
    return service.create_person(session, principal=principal, person_in=body, reason=body.reason)


@router.get("/persons/{person_id}", response_model=PersonDetail, responses=ERRORS)
def get_person(person_id: int, session: SessionDep, principal: Reader) -> PersonDetail:
    """One person (masked) with the household, its members and the house."""
    person = service.get_person(session, principal=principal, person_id=person_id)
    detail = PersonDetail.model_validate(PersonRead.model_validate(person).model_dump())
    links = service.person_links(session, principal=principal, person=person)
    if links.household is not None:
        detail.household = HouseholdRead.model_validate(links.household)
        detail.members = [PersonRead.model_validate(m) for m in links.members]
    if links.house is not None:
        detail.house = HouseRead.model_validate(links.house)
    return detail


@router.patch("/persons/{person_id}", response_model=PersonRead, responses=ERRORS)
def update_person(
    person_id: int, body: PersonUpdateRequest, session: SessionDep, principal: Writer
) -> Any:
    """Change the fields sent; ``base_version`` is the version the edit was made on."""
    changes = body.changes()
    return service.update_person(
        session,
        principal=principal,
        person_id=person_id,
        changes=changes,
        reason=body.reason,
        base_version=body.base_version,
    )


@router.get("/persons/{person_id}/history", response_model=list[VersionRead], responses=ERRORS)
def person_history(person_id: int, session: SessionDep, principal: Reader) -> Any:
    return service.person_history(session, principal=principal, person_id=person_id)


@router.post("/persons/{person_id}/full-view", response_model=PersonFullRead, responses=ERRORS)
def person_full_view(
    person_id: int, body: FullViewRequest, session: SessionDep, principal: FullViewer
) -> Any:
    """The unmasked record; the purpose is written to the audit trail."""
    return service.full_view(
        session, principal=principal, person_id=person_id, purpose=body.purpose
    )


@router.get("/households", response_model=Page[HouseholdRead], responses=ERRORS)
def list_households(
    session: SessionDep,
    principal: Reader,
    page: Paging,
    q: Annotated[str | None, Query(max_length=64, description="Number prefix or address")] = None,
    region: Annotated[str | None, Query(max_length=15, pattern=r"^\d{6,15}$")] = None,
    house_id: int | None = None,
    status: Literal["active", "dissolved"] | None = None,
    sort: HouseholdSort = "household_no",
) -> Page[HouseholdRead]:
    rows, total = service.list_households(
        session,
        principal=principal,
        q=q,
        region_code=region,
        house_id=house_id,
        status=status,
        sort=sort,
        page=page,
    )
    return Page.of(rows, total, page, HouseholdRead)


@router.post("/households", response_model=HouseholdRead, status_code=201, responses=ERRORS)
def create_household(body: HouseholdCreateRequest, session: SessionDep, principal: Writer) -> Any:
    return service.create_household(
        session, principal=principal, household_in=body, reason=body.reason
    )


@router.get("/households/{household_id}", response_model=HouseholdDetail, responses=ERRORS)
def get_household(household_id: int, session: SessionDep, principal: Reader) -> HouseholdDetail:
    household = service.get_household(session, principal=principal, household_id=household_id)
    members = service.household_members(session, principal=principal, household_id=household_id)
    return HouseholdDetail(
        **HouseholdRead.model_validate(household).model_dump(),
        members=[PersonRead.model_validate(m) for m in members],
    )


@router.patch("/households/{household_id}", response_model=HouseholdRead, responses=ERRORS)
def update_household(
    household_id: int, body: HouseholdUpdateRequest, session: SessionDep, principal: Writer
) -> Any:
    changes = body.changes()
    return service.update_household(
        session,
        principal=principal,
        household_id=household_id,
        changes=changes,
        reason=body.reason,
        base_version=body.base_version,
    )


@router.get(
    "/households/{household_id}/history", response_model=list[VersionRead], responses=ERRORS
)
def household_history(household_id: int, session: SessionDep, principal: Reader) -> Any:
    return service.household_history(session, principal=principal, household_id=household_id)


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
router.include_router(import_router)
