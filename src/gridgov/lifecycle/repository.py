"""Queries of the life-cycle domain; lists start from what the caller may read (scope_clause)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.cases.repository import case_readable_clause
from gridgov.models.case import Case
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.lifecycle import FamilyLink, LifeEvent, ProxyService, RuleSet
from gridgov.models.person import Person
from gridgov.models.task import Task
from gridgov.people.sensitive import lookups
from gridgov.sources.addresses import resolve_addresses

# A proxy service still being handled.
OPEN_STATES = ("open", "handed_over")
Loaded = TypeVar("Loaded", Person, House, Household)


def in_chunks(values: Iterable[Any], size: int = 500) -> Iterator[list[Any]]:
    """Sorted values in parts small enough for an ``IN`` list."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


@dataclass(frozen=True)
class Place:
    house_id: int | None
    grid_code: str
    address: str
    lng: float | None = None
    lat: float | None = None


class LifecycleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- events ---------------------------------------------------------------------------------
    def readable_events(self, principal: Principal) -> Select[Any]:
        return select(LifeEvent).where(
            scope_clause(
                principal,
                grid_code=LifeEvent.grid_code,
                department_code=LifeEvent.source,
            )
        )

    def readable_cases_about(
        self, principal: Principal, *, grids: Collection[str], masked_phone: str | None, limit: int
    ) -> list[Any]:
        """Cases the principal may read that may concern a person: the newest of ``grids`` (their
        home's), and those reported from a phone with this mask anywhere in the city."""
        columns = select(
            Case.id,
            Case.number,
            Case.state,
            Case.category_code,
            Case.description,
            Case.address,
            Case.reporter_phone_enc,
            Case.reported_at,
            Case.closed_at,
            Case.channel,
        ).where(case_readable_clause(principal))
        found = {
            row.id: row
            for row in self.session.execute(
                columns.where(Case.grid_code.in_(sorted(grids)))
                .order_by(Case.reported_at.desc())
                .limit(limit)
            )
        }
        if masked_phone:
            for row in self.session.execute(
                columns.where(Case.reporter_phone_masked == masked_phone)
                .order_by(Case.reported_at.desc())
                .limit(limit)
            ):
                found[row.id] = row
        return list(found.values())

    def event_by_ref(self, source: str, source_ref: str) -> LifeEvent | None:
        return self.events_by_refs([(source, source_ref)]).get((source, source_ref))

    def events_by_refs(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], LifeEvent]:
        """(source, source_ref) → the event stored under it, for many at once."""
        refs: dict[str, set[str]] = {}
        for source, ref in keys:
            refs.setdefault(source, set()).add(ref)
        found: dict[tuple[str, str], LifeEvent] = {}
        for source, wanted in refs.items():
            for part in in_chunks(wanted):
                for row in self.session.scalars(
                    select(LifeEvent)
                    .where(LifeEvent.source == source, LifeEvent.source_ref.in_(part))
                    .order_by(LifeEvent.id.desc())
                ):
                    found[(row.source, row.source_ref)] = row
        return found

    def existing_refs(self, source: str, refs: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(refs), 500):
            found.update(
                self.session.scalars(
                    select(LifeEvent.source_ref).where(
                        LifeEvent.source == source,
                        LifeEvent.source_ref.in_(list(refs[start : start + 500])),
                    )
                )
            )
        return found

    def event_of_task(self, task_id: int) -> LifeEvent | None:
        return self.session.scalars(select(LifeEvent).where(LifeEvent.task_id == task_id)).first()

    def events_of_person(self, person_ids: Sequence[int]) -> list[LifeEvent]:
        return list(
            self.session.scalars(select(LifeEvent).where(LifeEvent.person_id.in_(list(person_ids))))
        )

    # -- people and places ----------------------------------------------------------------------
    def person_by_id_number(self, number: str | None) -> Person | None:
        return self.persons_by_id_numbers([number]).get(str(number or ""))

    def persons_by_id_numbers(self, numbers: Iterable[str | None]) -> dict[str, Person]:
        """ID number (as written) → the person holding it, for many at once."""
        hashes = {n: lookups(n.strip().upper()) for n in {str(n) for n in numbers if n}}
        holder: dict[str, Person] = {}
        for part in in_chunks({h for found in hashes.values() for h in found}):
            for person in self.session.scalars(
                select(Person).where(Person.id_number_hash.in_(part)).order_by(Person.id.desc())
            ):
                holder[str(person.id_number_hash)] = person
        persons: dict[str, Person] = {}
        for number, found in hashes.items():
            held = [holder[h] for h in found if h in holder]
            if held:
                persons[number] = min(held, key=lambda p: p.id)
        return persons

    def person(self, person_id: int | None) -> Person | None:
        if person_id is None:
            return None
        return self.session.get(Person, person_id)

    def load(self, model: type[Loaded], ids: Iterable[int | None]) -> dict[int, Loaded]:
        """id → row of ``model`` (a person, house or household), for many at once."""
        rows: dict[int, Loaded] = {}
        for part in in_chunks({i for i in ids if i is not None}):
            for row in self.session.scalars(select(model).where(model.id.in_(part))):
                rows[row.id] = row
        return rows

    def household(self, household_id: int | None) -> Household | None:
        if household_id is None:
            return None
        return self.session.get(Household, household_id)

    def household_by_no(self, number: str) -> Household | None:
        return self.session.scalars(
            select(Household).where(Household.household_no == number.strip())
        ).first()

    def household_of_house(self, house_id: int) -> Household | None:
        return self.households_of_houses([house_id]).get(house_id)

    def households_of_houses(self, house_ids: Iterable[int]) -> dict[int, Household]:
        """house → its oldest active household, for many houses at once."""
        found: dict[int, Household] = {}
        for part in in_chunks(set(house_ids)):
            for row in self.session.scalars(
                select(Household)
                .where(Household.house_id.in_(part), Household.status == "active")
                .order_by(Household.id.desc())
            ):
                if row.house_id is not None:
                    found[row.house_id] = row
        return found

    def resolve_address(self, text: str | None) -> Place | None:
        """The house and grid an address names (the reconciliation's address normaliser)."""
        return self.resolve_addresses([text]).get(text or "")

    def resolve_addresses(self, texts: Iterable[str | None]) -> dict[str, Place | None]:
        """:meth:`resolve_address` of many addresses, keyed by their text."""
        found = resolve_addresses(self.session, texts)
        houses = self.load(House, [f.house_id for f in found.values() if f is not None])
        places: dict[str, Place | None] = {}
        for text, resolved in found.items():
            house = houses.get(resolved.house_id) if resolved is not None else None
            places[text] = (
                None
                if house is None
                else Place(house.id, house.grid_code, house.address, house.lng, house.lat)
            )
        return places

    def house(self, house_id: int | None) -> House | None:
        return None if house_id is None else self.session.get(House, house_id)

    def children_without_id(self, parent_id: int) -> list[Person]:
        return list(
            self.session.scalars(
                select(Person)
                .join(FamilyLink, FamilyLink.child_id == Person.id)
                .where(FamilyLink.parent_id == parent_id, Person.id_type == "birth_cert")
            )
        )

    def newborns_in_household(self, household_no: str | None, born: Any) -> list[Person]:
        """Persons without a resident ID yet (birth certificate) in the household."""
        if not household_no:
            return []
        statement = (
            select(Person)
            .join(Household, Household.id == Person.household_id)
            .where(Household.household_no == household_no, Person.id_type == "birth_cert")
        )
        if born is not None:
            statement = statement.where(Person.birth_date == born)
        return list(self.session.scalars(statement))

    def family(self, person_id: int) -> list[FamilyLink]:
        return list(
            self.session.scalars(
                select(FamilyLink).where(
                    (FamilyLink.child_id == person_id) | (FamilyLink.parent_id == person_id)
                )
            )
        )

    # -- services and tasks ---------------------------------------------------------------------
    def readable_services(self, principal: Principal) -> Select[Any]:
        return select(ProxyService).where(
            scope_clause(
                principal,
                grid_code=ProxyService.grid_code,
                department_code=ProxyService.department_code,
            )
        )

    def open_services(self, person_id: int, code: str | None = None) -> list[ProxyService]:
        statement = select(ProxyService).where(
            ProxyService.person_id == person_id,
            ProxyService.state.in_(OPEN_STATES),
        )
        if code:
            statement = statement.where(ProxyService.service_code == code)
        return list(self.session.scalars(statement))

    def open_services_of(self, person_ids: Iterable[int]) -> list[ProxyService]:
        """The open services of many persons."""
        found: list[ProxyService] = []
        for part in in_chunks(set(person_ids)):
            found.extend(
                self.session.scalars(
                    select(ProxyService)
                    .where(ProxyService.person_id.in_(part), ProxyService.state.in_(OPEN_STATES))
                    .order_by(ProxyService.id)
                )
            )
        return found

    def open_tasks_about(self, person_id: int) -> list[Task]:
        event_tasks = select(LifeEvent.task_id).where(
            LifeEvent.person_id == person_id, LifeEvent.task_id.is_not(None)
        )
        return list(
            self.session.scalars(
                select(Task).where(
                    Task.state.in_(["open", "accepted"]),
                    ((Task.subject_type == "person") & (Task.subject_id == str(person_id)))
                    | Task.id.in_(event_tasks),
                )
            )
        )

    def newest_rule_set(self) -> RuleSet | None:
        return self.session.scalars(select(RuleSet).order_by(RuleSet.version.desc())).first()
