"""Behaviour of the population base: persons and households, every change a new version.

Services take keyword-only arguments, never commit, write the trail and keep the per-grid
statistics current. Jobs and the CLI pass ``system_principal(...)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.housing.repository import HouseRepository
from gridgov.kit.errors import BadRequest, Conflict
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.person import IdType, Person
from gridgov.people.auth import FULL_VIEW_ROLES, ensure_role
from gridgov.people.common import (
    HOUSEHOLD,
    PERSON,
    bad_request,
    change_source,
    check_grid,
    check_links,
    duplicate_id,
    not_found,
)
from gridgov.people.repository import HouseholdRepository, PersonFilters, PersonRepository
from gridgov.people.saving import record_created, save_changes
from gridgov.people.schemas import (
    HouseholdCreate,
    HouseholdUpdate,
    PersonCreate,
    PersonFullRead,
    PersonRead,
    PersonUpdate,
    VersionRead,
    check_identity,
)
from gridgov.people.sensitive import lookup, lookups, protect_id_number, protect_phone, reveal
from gridgov.people.tags import tag_codes_text
from gridgov.people.text import given_name, name_pinyin
from gridgov.people.versioning import (
    history,
    stamp,
)


# -- persons ----------------------------------------------------------------------------------
def create_person(
    session: Session,
    *,
    principal: Principal,
    person_in: PersonCreate,
    source: str | None = None,
    reason: str | None = None,
) -> Person:
    check_grid(session, principal, person_in.grid_code)
    check_links(session, principal, person_in.household_id, person_in.house_id)
    protected = protect_id_number(person_in.id_number)
    duplicate_id(session, person_in.id_number)
    phone = protect_phone(person_in.phone) if person_in.phone else None
    pinyin, initials = name_pinyin(person_in.name)
    tags = [t.model_dump() for t in person_in.tags]
    assert person_in.sex is not None and person_in.birth_date is not None
    person = Person(
        id_type=person_in.id_type,
        id_number_enc=protected.enc,
        id_number_hash=protected.hash,
        id_number_masked=protected.masked,
        name=person_in.name,
        given_name=given_name(person_in.name),
        name_pinyin=pinyin,
        name_initials=initials,
        sex=person_in.sex,
        birth_date=person_in.birth_date,
        ethnicity=person_in.ethnicity,
        nationality=person_in.nationality,
        phone_enc=phone.enc if phone else None,
        phone_hash=phone.hash if phone else None,
        phone_masked=phone.masked if phone else None,
        registered_address=person_in.registered_address,
        current_address=person_in.current_address,
        residence_type=person_in.residence_type,
        living_status=person_in.living_status,
        moved_in_on=person_in.moved_in_on,
        permit_expires_on=person_in.permit_expires_on,
        tags=tags,
        tag_codes=tag_codes_text(tags),
        household_id=person_in.household_id,
        relation_to_head=person_in.relation_to_head,
        house_id=person_in.house_id,
        grid_code=person_in.grid_code,
    )
    stamp(person, principal=principal, source=change_source(principal, source), reason=reason)
    session.add(person)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "该证件号码已在人口库中登记", "This ID number is already in the base"
        ) from exc
    record_created(session, person, kind=PERSON, principal=principal)
    return person


def _person_values(
    session: Session, principal: Principal, person: Person, changes: PersonUpdate
) -> dict[str, Any]:
    sent = changes.model_fields_set
    data = changes.model_dump(include=sent)
    values: dict[str, Any] = {}
    identity = {"id_type", "id_number", "sex", "birth_date"} & sent
    if identity:
        id_type = data.get("id_type") or person.id_type
        number = (data.get("id_number") or reveal(person.id_number_enc) or "").strip().upper()
        if "id_number" not in sent and "id_type" in sent and id_type != person.id_type:
            raise BadRequest("更换证件类型时需填写证件号码", "A new ID type needs its number")
        # A resident ID carries sex and birth date (a new number derives them afresh); other
        # documents keep the stored ones unless new ones are sent.
        derive = id_type == "resident_id" and "id_number" in sent
        given_sex = data.get("sex") if "sex" in sent else (None if derive else person.sex)
        given_birth = (
            data.get("birth_date")
            if "birth_date" in sent
            else (None if derive else person.birth_date)
        )
        try:
            sex, birth = check_identity(id_type, number, given_sex, given_birth)
        except ValueError as exc:
            raise bad_request(exc) from None
        values.update(id_type=id_type, sex=sex, birth_date=birth)
        if "id_number" in sent and lookup(number) != person.id_number_hash:
            protected = protect_id_number(number)
            duplicate_id(session, number, person.id)
            values.update(
                id_number_enc=protected.enc,
                id_number_hash=protected.hash,
                id_number_masked=protected.masked,
            )
    if "name" in sent:
        if not data["name"]:
            raise BadRequest("姓名不能为空", "The name is required")
        pinyin, initials = name_pinyin(data["name"])
        values.update(
            name=data["name"],
            given_name=given_name(data["name"]),
            name_pinyin=pinyin,
            name_initials=initials,
        )
    if "phone" in sent:
        phone = data["phone"]
        if phone is None:
            values.update(phone_enc=None, phone_hash=None, phone_masked=None)
        elif lookup(phone) != person.phone_hash:
            protected = protect_phone(phone)
            values.update(
                phone_enc=protected.enc, phone_hash=protected.hash, phone_masked=protected.masked
            )
    if "tags" in sent:
        tags = data["tags"] or []
        values.update(tags=tags, tag_codes=tag_codes_text(tags))
    if "grid_code" in sent and data["grid_code"] and data["grid_code"] != person.grid_code:
        check_grid(session, principal, data["grid_code"])
        values["grid_code"] = data["grid_code"]
    check_links(
        session,
        principal,
        data.get("household_id") if "household_id" in sent else None,
        data.get("house_id") if "house_id" in sent else None,
    )
    for key in (
        "ethnicity",
        "nationality",
        "registered_address",
        "current_address",
        "residence_type",
        "living_status",
        "moved_in_on",
        "permit_expires_on",
        "household_id",
        "relation_to_head",
        "house_id",
    ):
        if key in sent:
            if key in ("residence_type", "living_status") and data[key] is None:
                continue
            values[key] = data[key]
    if values.get("residence_type") == "foreign" and values.get("id_type", person.id_type) == (
        IdType.RESIDENT_ID
    ):
        raise BadRequest(
            "境外人员应使用护照或居留证件", "Foreign residents are identified by passport or permit"
        )
    return values


def update_person(
    session: Session,
    *,
    principal: Principal,
    person_id: int,
    changes: PersonUpdate,
    source: str | None = None,
    reason: str | None = None,
    base_version: int | None = None,
    flush: bool = True,
) -> Person:
    """Apply the fields sent in ``changes`` as a new version. ``base_version`` is the version the
    edit was made on: a different current version raises :class:`Conflict` (409). ``flush``:
    see :func:`~gridgov.people.versioning.apply_changes` (a batch of the system's changes)."""
    person = PersonRepository(session).get_readable(
        principal, person_id, action="change", for_update=True
    )
    if person is None:
        raise not_found(PERSON, person_id)
    values = _person_values(session, principal, person, changes)
    save_changes(
        session,
        person,
        kind=PERSON,
        values=values,
        principal=principal,
        source=source,
        reason=reason,
        base_version=base_version,
        flush=flush,
    )
    return person


def get_person(session: Session, *, principal: Principal, person_id: int) -> Person:
    person = PersonRepository(session).get_readable(principal, person_id)
    if person is None:
        raise not_found(PERSON, person_id)
    return person


def find_by_id_number(session: Session, *, principal: Principal, id_number: str) -> Person | None:
    """Exact lookup through the keyed hash (for feeds and reconciliation)."""
    return PersonRepository(session).by_id_hash(
        lookups(id_number.strip().upper()), principal=principal
    )


@dataclass
class PersonLinks:
    """What a person's page shows beside the person, as far as the reader may see it."""

    household: Household | None
    members: list[Person]
    house: House | None


def person_links(session: Session, *, principal: Principal, person: Person) -> PersonLinks:
    household = (
        HouseholdRepository(session).get_readable(principal, person.household_id)
        if person.household_id is not None
        else None
    )
    return PersonLinks(
        household=household,
        members=(
            PersonRepository(session).household_members(principal, household.id)
            if household
            else []
        ),
        house=HouseRepository(session).get_readable(principal, person.house_id)
        if person.house_id is not None
        else None,
    )


def household_house(
    session: Session, *, principal: Principal, household: Household
) -> House | None:
    if household.house_id is None:
        return None
    return HouseRepository(session).get_readable(principal, household.house_id)


def list_persons(
    session: Session,
    *,
    principal: Principal,
    filters: PersonFilters,
    sort: str = "name",
    page: PageParams,
    count_cap: int | None = None,
) -> tuple[list[Person], int]:
    statement = PersonRepository(session).search(principal, filters, sort)
    return paginate(session, statement, page, count_cap=count_cap)


def full_view(
    session: Session, *, principal: Principal, person_id: int, purpose: str
) -> PersonFullRead:
    """The unmasked record, for roles allowed to see it, with the purpose written to the trail."""
    ensure_role(principal, FULL_VIEW_ROLES)
    person = get_person(session, principal=principal, person_id=person_id)
    trail.record(
        session,
        action="person.full_view",
        object_type=PERSON,
        object_id=person.id,
        principal=principal,
        purpose=purpose,
    )
    read = PersonRead.model_validate(person)
    return PersonFullRead(
        **read.model_dump(),
        id_number=reveal(person.id_number_enc) or "",
        phone=reveal(person.phone_enc),
    )


def person_history(session: Session, *, principal: Principal, person_id: int) -> list[VersionRead]:
    person = get_person(session, principal=principal, person_id=person_id)
    return history(session, person, record_type=PERSON)


# -- households -------------------------------------------------------------------------------
def create_household(
    session: Session,
    *,
    principal: Principal,
    household_in: HouseholdCreate,
    source: str | None = None,
    reason: str | None = None,
) -> Household:
    check_grid(session, principal, household_in.grid_code)
    check_links(session, principal, None, household_in.house_id)
    number = (
        household_in.household_no or f"{household_in.grid_code[:6]}{uuid.uuid4().hex[:12].upper()}"
    )
    if HouseholdRepository(session).by_no(number) is not None:
        raise Conflict(f"户号 {number} 已存在", f"Household number {number} exists")
    address = household_in.address
    if address is None and household_in.house_id is not None:
        house = HouseRepository(session).get_readable(principal, household_in.house_id)
        address = house.address if house else None
    household = Household(
        household_no=number,
        kind=household_in.kind,
        house_id=household_in.house_id,
        grid_code=household_in.grid_code,
        address=address,
        status="active",
    )
    stamp(household, principal=principal, source=change_source(principal, source), reason=reason)
    session.add(household)
    session.flush()
    record_created(session, household, kind=HOUSEHOLD, principal=principal)
    return household


def update_household(
    session: Session,
    *,
    principal: Principal,
    household_id: int,
    changes: HouseholdUpdate,
    source: str | None = None,
    reason: str | None = None,
    base_version: int | None = None,
) -> Household:
    household = HouseholdRepository(session).get_readable(
        principal, household_id, action="change", for_update=True
    )
    if household is None:
        raise not_found(HOUSEHOLD, household_id)
    sent = changes.model_fields_set
    values = {
        k: v
        for k, v in changes.model_dump(include=sent).items()
        if v is not None or k == "house_id"
    }
    if "grid_code" in values and values["grid_code"] != household.grid_code:
        check_grid(session, principal, values["grid_code"])
    check_links(session, principal, None, values.get("house_id"))
    save_changes(
        session,
        household,
        kind=HOUSEHOLD,
        values=values,
        principal=principal,
        source=source,
        reason=reason,
        base_version=base_version,
    )
    return household


def get_household(session: Session, *, principal: Principal, household_id: int) -> Household:
    household = HouseholdRepository(session).get_readable(principal, household_id)
    if household is None:
        raise not_found(HOUSEHOLD, household_id)
    return household


def household_members(session: Session, *, principal: Principal, household_id: int) -> list[Person]:
    household = get_household(session, principal=principal, household_id=household_id)
    return PersonRepository(session).household_members(principal, household.id)


def household_history(
    session: Session, *, principal: Principal, household_id: int
) -> list[VersionRead]:
    household = get_household(session, principal=principal, household_id=household_id)
    return history(session, household, record_type=HOUSEHOLD)
