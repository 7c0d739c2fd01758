"""Every query of the population base: ``PersonRepository``, ``HouseholdRepository`` and
``PopulationRepository`` (grid codes, record versions); the clause builders they share with
housing and organisations (``prefix``, ``region_prefix``, ``in_values``, ``chunks``,
``sort_clause``) are functions."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, any_, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gridgov.authz.policy import Action, first_row, readable_statement
from gridgov.authz.principal import Principal, Role
from gridgov.kit.repository import Repository
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.models.versioning import RecordVersion
from gridgov.people.sensitive import lookups
from gridgov.people.tags import TAGS, tag_condition_sql
from gridgov.people.text import is_cjk, normalise_phone

_UPPER = "\U0010ffff"


def prefix(column: Any, value: str) -> ColumnElement[bool]:
    """``column LIKE 'value%'`` as a range every B-tree index serves (SQLite and PostgreSQL)."""
    return and_(column >= value, column < value + _UPPER)


def region_prefix(column: Any, code: str) -> ColumnElement[bool]:
    return and_(column >= code, column < code + ":")


def in_values(session: Session, column: Any, values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN values`` — on PostgreSQL as ``= ANY(array)``, one parameter however long."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return column.in_(values)


def chunks(session: Session, values: Sequence[str]) -> Iterator[Sequence[str]]:
    size = 20_000 if session.get_bind().dialect.name == "postgresql" else 900
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class PersonFilters:
    q: str | None = None
    name: str | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    region_code: str | None = None
    residence_type: str | None = None
    living_status: str | None = None
    sex: str | None = None
    tag: str | None = None
    born_after: date | None = None
    born_before: date | None = None
    household_id: int | None = None
    house_id: int | None = None


PERSON_SORTS = {
    "name": Person.name,
    "name_pinyin": Person.name_pinyin,
    "birth_date": Person.birth_date,
    "changed_at": Person.changed_at,
    "grid_code": Person.grid_code,
    "id": Person.id,
}


PERSON = "person"
HOUSEHOLD = "household"


def _latin(text: str) -> str:
    return text.lower().replace(" ", "")


def _quick_name_clause(text: str) -> ColumnElement[bool]:
    """The search box: full name, surname or given name (Chinese, prefix; a single character is
    a surname), pinyin or initials (prefix) — all through indexes, so a city-wide search stays
    fast."""
    if is_cjk(text):
        if len(text) == 1:  # one character: the surname (an ordered index range)
            return prefix(Person.name, text)
        return prefix(Person.name, text) | prefix(Person.given_name, text)
    letters = _latin(text)
    # Initials start with the surname's first letter, as the pinyin does: bounding the pinyin to
    # that letter lets the pinyin index serve filter and order (the pinyin order of a latin
    # search) together, so the first page is found without sorting every match.
    return prefix(Person.name_pinyin, letters[:1]) & (
        prefix(Person.name_pinyin, letters) | prefix(Person.name_initials, letters)
    )


def _name_clause(text: str) -> ColumnElement[bool]:
    """The ``name`` filter: any part of the Chinese name (a scan), pinyin/initials prefix."""
    if is_cjk(text):
        return Person.name.contains(text, autoescape=True)
    return _quick_name_clause(text)


def sort_clause(columns: dict[str, Any], sort: str) -> list[Any]:
    descending = sort.startswith("-")
    column = columns.get(sort.lstrip("-"))
    if column is None:
        return []
    return [column.desc() if descending else column.asc()]


class PersonRepository(Repository[Person]):
    model = Person

    def readable_statement(self, principal: Principal, action: Action = "read") -> Select[Any]:
        stmt = readable_statement(principal, Person, action, category=PERSON)
        if principal.role == Role.GRID_WORKER and len(principal.region_code or "") == 15:
            # One grid: say it as an equality too, so (grid_code, name) serves name searches.
            stmt = stmt.where(Person.grid_code == principal.region_code)
        return stmt

    def search(
        self, principal: Principal, filters: PersonFilters, sort: str = "name"
    ) -> Select[Any]:
        stmt = self.readable_statement(principal)
        f = filters
        if f.q:
            q = f.q.strip()
            compact = q.replace(" ", "").upper()
            if len(compact) == 18 and compact[:17].isdigit():
                stmt = stmt.where(Person.id_number_hash.in_(lookups(compact)))
            elif compact.lstrip("+").isdigit() and len(compact) >= 7:
                stmt = stmt.where(Person.phone_hash.in_(lookups(normalise_phone(q))))
            else:
                stmt = stmt.where(_quick_name_clause(q))
        if f.name:
            stmt = stmt.where(_name_clause(f.name.strip()))
        if f.id_number:
            stmt = stmt.where(Person.id_number_hash.in_(lookups(f.id_number.strip().upper())))
        if f.phone:
            stmt = stmt.where(Person.phone_hash.in_(lookups(normalise_phone(f.phone))))
        if f.address:
            stmt = stmt.where(Person.current_address.contains(f.address.strip(), autoescape=True))
        if f.region_code:
            stmt = stmt.where(region_prefix(Person.grid_code, f.region_code))
        for column, value in (
            (Person.residence_type, f.residence_type),
            (Person.living_status, f.living_status),
            (Person.sex, f.sex),
            (Person.household_id, f.household_id),
            (Person.house_id, f.house_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if f.tag in TAGS:  # said as its partial index says it (ix_persons_tag_<code>)
            stmt = stmt.where(text(tag_condition_sql(f.tag)))
        elif f.tag:
            stmt = stmt.where(Person.tag_codes.like(f"%,{f.tag},%"))
        if f.born_after:
            stmt = stmt.where(Person.birth_date >= f.born_after)
        if f.born_before:
            stmt = stmt.where(Person.birth_date <= f.born_before)
        if f.q and sort.lstrip("-") == "name" and not is_cjk(f.q) and not f.q.strip()[:1].isdigit():
            # A latin search lists in pinyin order, the order of its index (ix_persons_pinyin).
            columns = (Person.name_pinyin, Person.name_initials, Person.id)
            return stmt.order_by(*(c.desc() if sort.startswith("-") else c for c in columns))
        return stmt.order_by(*sort_clause(PERSON_SORTS, sort), Person.id)

    def get_readable(
        self,
        principal: Principal,
        person_id: int,
        *,
        action: Action = "read",
        for_update: bool = False,
    ) -> Person | None:
        statement = self.readable_statement(principal, action).where(Person.id == person_id)
        return first_row(self.session, statement, for_update=for_update)

    def by_id_hash(self, id_hash: str | list[str], *, principal: Principal) -> Person | None:
        """The person with this ID number within the principal's reach (the base's own
        uniqueness check — one ID number, one person — passes the system principal: it must see
        every record). ``id_hash``: its lookup hash, or its hashes under every data key
        (``lookups``)."""
        hashes = [id_hash] if isinstance(id_hash, str) else id_hash
        statement = self.readable_statement(principal).where(Person.id_number_hash.in_(hashes))
        return first_row(self.session, statement)

    def existing_id_hashes(self, hashes: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for chunk in chunks(self.session, hashes):
            found.update(
                self.session.scalars(
                    select(Person.id_number_hash).where(
                        in_values(self.session, Person.id_number_hash, chunk)
                    )
                )
            )
        return found

    def household_members(self, principal: Principal, household_id: int) -> list[Person]:
        order = (Person.relation_to_head != "head", Person.birth_date, Person.id)
        statement = self.readable_statement(principal).where(Person.household_id == household_id)
        return list(self.session.scalars(statement.order_by(*order)))

    def house_residents(self, principal: Principal, house_id: int) -> list[Person]:
        statement = self.readable_statement(principal).where(Person.house_id == house_id)
        return list(self.session.scalars(statement.order_by(Person.household_id, Person.id)))


HOUSEHOLD_SORTS = {
    "household_no": Household.household_no,
    "grid_code": Household.grid_code,
    "changed_at": Household.changed_at,
    "id": Household.id,
}


class HouseholdRepository(Repository[Household]):
    model = Household

    def readable_statement(self, principal: Principal, action: Action = "read") -> Select[Any]:
        return readable_statement(principal, Household, action, category=HOUSEHOLD)

    def search(
        self,
        principal: Principal,
        *,
        q: str | None = None,
        region_code: str | None = None,
        house_id: int | None = None,
        status: str | None = None,
        sort: str = "household_no",
    ) -> Select[Any]:
        stmt = self.readable_statement(principal)
        if q:
            q = q.strip()
            stmt = stmt.where(
                prefix(Household.household_no, q) | Household.address.contains(q, autoescape=True)
            )
        if region_code:
            stmt = stmt.where(region_prefix(Household.grid_code, region_code))
        if house_id is not None:
            stmt = stmt.where(Household.house_id == house_id)
        if status:
            stmt = stmt.where(Household.status == status)
        return stmt.order_by(*sort_clause(HOUSEHOLD_SORTS, sort), Household.id)

    def get_readable(
        self,
        principal: Principal,
        household_id: int,
        *,
        action: Action = "read",
        for_update: bool = False,
    ) -> Household | None:
        statement = self.readable_statement(principal, action).where(Household.id == household_id)
        return first_row(self.session, statement, for_update=for_update)

    def by_no(self, household_no: str) -> Household | None:
        return self.session.scalar(select(Household).where(Household.household_no == household_no))

    def by_numbers(self, numbers: Sequence[str]) -> dict[str, Household]:
        found: dict[str, Household] = {}
        for chunk in chunks(self.session, numbers):
            stmt = select(Household).where(in_values(self.session, Household.household_no, chunk))
            for household in self.session.scalars(stmt):
                found[household.household_no] = household
        return found


class PopulationRepository:
    """What the base's records share: the grids they may go into, their versions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_grid_codes(self, codes: Collection[str]) -> set[str]:
        """The codes among ``codes`` that are grids of the base layer."""
        wanted = sorted(set(codes))
        found: set[str] = set()
        for start in range(0, len(wanted), 900):
            chunk = wanted[start : start + 900]
            found.update(
                self.session.scalars(
                    select(Region.code).where(Region.code.in_(chunk), Region.level == "grid")
                )
            )
        return found

    def record_versions(self, *, record_type: str, record_id: int) -> list[RecordVersion]:
        return list(
            self.session.scalars(
                select(RecordVersion)
                .where(
                    RecordVersion.record_type == record_type, RecordVersion.record_id == record_id
                )
                .order_by(RecordVersion.version)
            )
        )
