"""Helpers shared by the services of persons, households, houses and organisations."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import ensure_covers
from gridgov.authz.principal import Principal, system_principal
from gridgov.housing.repository import HouseRepository
from gridgov.kit.errors import BadRequest, Conflict, NotFound
from gridgov.people.repository import (
    HouseholdRepository,
    PersonRepository,
    PopulationRepository,
)
from gridgov.people.sensitive import lookups
from gridgov.people.versioning import default_source, visible

PERSON = "person"
HOUSEHOLD = "household"


def change_source(principal: Principal, source: str | None) -> str:
    if source:
        return source
    return default_source(principal) if principal else "system"


def check_grid(session: Session, principal: Principal, grid_code: str) -> None:
    ensure_covers(principal, grid_code)
    if not PopulationRepository(session).existing_grid_codes([grid_code]):
        raise BadRequest(f"网格编码 {grid_code} 不存在", f"Unknown grid code {grid_code}")


def bad_request(error: ValueError) -> BadRequest:
    """A schema-level ``ValueError`` ("中文 / English") as a typed 400."""
    zh, _, en = str(error).partition(" / ")
    return BadRequest(zh, en or zh)


def not_found(kind: str, record_id: int) -> NotFound:
    names = {PERSON: "人员", HOUSEHOLD: "户"}
    return NotFound(f"{names.get(kind, kind)} {record_id} 不存在", f"No {kind} {record_id}")


def check_links(
    session: Session, principal: Principal, household_id: int | None, house_id: int | None
) -> None:
    if household_id is not None:
        household = HouseholdRepository(session).get_readable(principal, household_id)
        if household is None:
            raise BadRequest(f"户 {household_id} 不存在", f"No household {household_id}")
    if house_id is not None:
        house = HouseRepository(session).get_readable(principal, house_id)
        if house is None:
            raise BadRequest(f"房屋 {house_id} 不存在", f"No house {house_id}")


def duplicate_id(session: Session, id_number: str, person_id: int | None = None) -> None:
    """Refuse a second person with this ID number. Looked up under every data key in use: while
    ``gridgov keys rotate`` re-keys the base, a person not yet re-keyed is still found."""
    # One ID number, one person, across the whole base: the check itself must see every record.
    existing = PersonRepository(session).by_id_hash(
        lookups(id_number.strip().upper()), principal=system_principal("people.unique_id")
    )
    if existing is not None and existing.id != person_id:
        raise Conflict(
            "该证件号码已在人口库中登记",
            "This ID number is already in the base",
            person_id=existing.id,
        )


def write_trail(
    session: Session,
    *,
    action: str,
    kind: str,
    row: Any,
    principal: Principal,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str | None = None,
) -> None:
    trail.record(
        session,
        action=action,
        object_type=kind,
        object_id=row.id,
        principal=principal,
        before=visible(before) if before is not None else None,
        after=visible(after) if after is not None else None,
        note=note,
    )
