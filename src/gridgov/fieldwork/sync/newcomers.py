"""Newcomers (新居民登记): a record of a person module that carries the identity (its questions
write ``name`` and ``id_number``, like the population module) and names no subject registers a
new person in the worker's grid — floating population registration is daily grid work.

- Before storing, the record is checked like ``people`` would check it, each problem on its
  question: the resident ID (GB 11643: format, check digit, birth date), sex and birth date
  agreeing with it, the person rules (phone …), and the house of a requested household (it must
  be in the worker's own grid). A problem answers ``invalid`` with the field errors.
- Stored, it goes through ``people.service`` with source ``grid_worker``: the household first
  (when asked: head of a new household in that house), then the person → ``person:ID@v1``.
- An ID number already in the base never makes a second person: the record stays stored as a
  conflict ``id_exists`` for a supervisor (answered ``stale``, 202). Accepting it applies the
  record to the person in the base as a new version — now living in the worker's grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms.registry import ModuleRef
from gridgov.housing import service as housing
from gridgov.kit.errors import BadRequest, Conflict, NotFound, field_messages
from gridgov.models.household import HouseholdKind
from gridgov.models.person import Person, ResidenceType
from gridgov.people import service as people
from gridgov.people.identifiers import IdentifierError, parse_resident_id
from gridgov.people.schemas import HouseholdCreate, PersonCreate, PersonUpdate

IDENTITY = frozenset({"name", "id_number"})


class IdExists(Conflict):
    code = "id_exists"


def carries_identity(module: ModuleRef | None) -> bool:
    return bool(
        module and module.target == "person" and set(module.compiled.bindings.values()) >= IDENTITY
    )


def is_newcomer(kind: str, module: ModuleRef | None, subject_id: str | None) -> bool:
    return kind == "form" and not subject_id and carries_identity(module)


def bound_values(module: ModuleRef, data: dict[str, Any]) -> dict[str, Any]:
    """The answers of the questions that write an attribute of the record, by attribute."""
    return {
        attribute: data[name]
        for name, attribute in module.compiled.bindings.items()
        if name in data
    }


def _error(field: str, code: str, zh: str, en: str) -> dict[str, str]:
    return {"field": field, "code": code, "message": zh, "message_en": en}


def identity_errors(module: ModuleRef, data: dict[str, Any]) -> list[dict[str, str]]:
    """The resident ID and the sex and birth date it carries, checked on their questions."""
    questions = {attribute: name for name, attribute in module.compiled.bindings.items()}
    values = bound_values(module, data)
    if not values.get("id_number"):
        return []
    try:
        parsed = parse_resident_id(str(values["id_number"]))
    except IdentifierError as exc:
        return [_error(questions["id_number"], exc.code, exc.message, exc.message_en)]
    errors = []
    if "sex" in values and values["sex"] != parsed.sex:
        errors.append(
            _error(
                questions["sex"],
                "id_mismatch",
                "性别与身份证号不一致",
                "The sex does not match the resident ID",
            )
        )
    if "birth_date" in values and str(values["birth_date"]) != parsed.birth_date.isoformat():
        errors.append(
            _error(
                questions["birth_date"],
                "id_mismatch",
                "出生日期与身份证号不一致",
                "The birth date does not match the resident ID",
            )
        )
    return errors


def check(
    session: Session,
    *,
    principal: Principal,
    module: ModuleRef,
    data: dict[str, Any],
    house_id: int | None,
) -> list[dict[str, str]]:
    """Why a newcomer record cannot be registered, per question (empty: it can)."""
    if principal.role != Role.GRID_WORKER or not principal.region_code:
        return [
            _error(
                "subject_id",
                "required",
                "只有网格员可以登记新居民，请选择要更新的人员",
                "Only grid workers register newcomers: choose the person to update",
            )
        ]
    questions = {attribute: name for name, attribute in module.compiled.bindings.items()}
    values = bound_values(module, data)
    if values.get("residence_type") == ResidenceType.FOREIGN:
        return [
            _error(
                questions["residence_type"],
                "id_type",
                "境外人员凭护照或居留证件登记，本模块只登记居民身份证",
                "Foreign residents are registered with a passport or permit, not this module",
            )
        ]
    errors = identity_errors(module, data)
    if not errors:
        try:
            PersonCreate(**values, grid_code=principal.region_code)
        except ValidationError as exc:
            for problem in field_messages(exc):
                attribute = problem.field or "id_number"
                errors.append(
                    _error(
                        questions.get(attribute, attribute),
                        problem.code,
                        problem.message,
                        problem.message_en,
                    )
                )
    if house_id is not None and not _own_house(session, principal, house_id):
        errors.append(
            _error(
                "new_household",
                "unknown",
                "本网格没有该房屋",
                f"No house {house_id} in your grid",
            )
        )
    return errors


def _own_house(session: Session, principal: Principal, house_id: int) -> bool:
    try:
        house = housing.get_house(session, principal=principal, house_id=house_id)
    except NotFound:
        return False
    return house.grid_code == principal.region_code


@dataclass(frozen=True)
class Newcomer:
    """A newcomer record as the worker sent it: the form's data, the grid, the house, why."""

    module: ModuleRef
    data: dict[str, Any]
    grid_code: str
    house_id: int | None
    reason: str


def register(session: Session, *, principal: Principal, newcomer: Newcomer) -> Person:
    """A new person (and household) from a newcomer record; ``IdExists`` when the ID is known.

    Call it in a savepoint: a refused person must take the household just opened with it."""
    values = bound_values(newcomer.module, newcomer.data)
    links = _household(session, principal=principal, newcomer=newcomer, values=values)
    try:
        return people.create_person(
            session,
            principal=principal,
            person_in=PersonCreate(**values, **links, grid_code=newcomer.grid_code),
            source="grid_worker",
            reason=newcomer.reason,
        )
    except Conflict as exc:
        known = exc.details.get("person_id")
        raise IdExists(
            "该证件号码已在人口库中登记，已交主管核查",
            "This ID number is already in the base"
            + (f" (person {known})" if known else "")
            + ": kept for a supervisor",
            person_id=known,
        ) from exc


def _household(
    session: Session, *, principal: Principal, newcomer: Newcomer, values: dict[str, Any]
) -> dict[str, Any]:
    """Open the household asked for; the person's links to it and to the house."""
    if newcomer.house_id is None:
        return {}
    house = housing.get_house(session, principal=principal, house_id=newcomer.house_id)
    registered = values.get("residence_type", ResidenceType.REGISTERED) == ResidenceType.REGISTERED
    household = people.create_household(
        session,
        principal=principal,
        household_in=HouseholdCreate(
            kind=HouseholdKind.REGISTERED if registered else HouseholdKind.RESIDENT,
            house_id=house.id,
            grid_code=newcomer.grid_code,
        ),
        source="grid_worker",
        reason=newcomer.reason,
    )
    return {
        "household_id": household.id,
        "relation_to_head": "head",
        "house_id": house.id,
        "current_address": house.address,
    }


def accept(session: Session, *, principal: Principal, newcomer: Newcomer) -> Person:
    """A supervisor confirms the newcomer is the person already in the base: the record becomes
    that person's next version, living in the worker's grid (nothing of the history is lost)."""
    values = bound_values(newcomer.module, newcomer.data)
    person = people.find_by_id_number(
        session, principal=principal, id_number=str(values.get("id_number", ""))
    )
    if person is None:
        raise NotFound(
            "该居民登记在您的管辖范围之外，请交上级处理",
            "The resident is registered outside your area: pass it on to a higher level",
        )
    links = _household(session, principal=principal, newcomer=newcomer, values=values)
    try:
        changes = PersonUpdate(**values, **links, grid_code=newcomer.grid_code)
    except ValidationError as exc:
        raise BadRequest("记录不能写入人口库", f"Not applicable to the person: {exc}") from exc
    return people.update_person(
        session,
        principal=principal,
        person_id=person.id,
        changes=changes,
        source="grid_worker",
        reason=newcomer.reason,
    )
