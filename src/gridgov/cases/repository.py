"""Every query on cases, their timeline, steps, categories, departments and channel clients.

Readable statement: city-wide roles read every case; territorial roles (grid worker, community,
street, district staff, inspectors) read the cases located in their region scope; department
roles read the cases dispatched to their own department (dispatched at least once and currently
held by it). A case without a location is readable only city-wide.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, bindparam, func, select, true
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal
from gridgov.cases.states import OPEN_STATES
from gridgov.kit.repository import insert_now
from gridgov.models.case import Case, CaseEvent, CaseStep, ChannelClient
from gridgov.models.category import CaseCategory
from gridgov.models.department import Department
from gridgov.models.region import Region
from gridgov.models.staff import Assignment, Staff


def case_readable_clause(principal: Principal) -> ColumnElement[bool]:
    clause = scope_clause(principal, grid_code=Case.grid_code, department_code=Case.department_code)
    if principal.role in DEPARTMENT_ROLES and not principal.system:
        # A case reaches its department once it is dispatched there.
        clause = and_(clause, Case.dispatched_at.is_not(None))
    return clause


_TRUE = true()


def _duplicates_statement():  # the inferred Select type is long to spell
    # Built once: intake runs it on every report, and building the expression tree costs more
    # than the query itself.
    lat, lng = bindparam("lat", type_=Float), bindparam("lng", type_=Float)
    distance = (Case.lat - lat) * (Case.lat - lat) + (Case.lng - lng) * (Case.lng - lng)
    return (
        select(
            Case.id,
            Case.number,
            Case.state,
            Case.category_code,
            Case.description,
            Case.address,
            Case.lng,
            Case.lat,
            Case.grid_code,
            Case.reported_at,
        )
        .where(
            Case.category_code == bindparam("category"),
            Case.lat.between(bindparam("lat_min"), bindparam("lat_max")),
            Case.lng.between(bindparam("lng_min"), bindparam("lng_max")),
            Case.state.in_(sorted(str(s) for s in OPEN_STATES)),
        )
        .order_by(distance, Case.id.desc())
        .limit(bindparam("limit"))
    )


_DUPLICATES = _duplicates_statement()


@dataclass
class CaseFilter:
    state: Sequence[str] = ()
    category_code: str | None = None
    grid_code: str | None = None  # a grid code or any region-code prefix
    department_code: str | None = None
    channel: str | None = None
    overdue: bool | None = None
    warning: bool | None = None
    supervised: bool | None = None
    number: str | None = None
    now: datetime | None = None


class CaseRepository:
    def by_idempotency_key(self, key: str) -> Case | None:
        return self.session.scalars(select(Case).where(Case.idempotency_key == key)).first()

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, case: Case) -> Case:
        self.session.add(case)
        self.session.flush()
        return case

    def insert(self, case: Case) -> Case:
        """A new case, written at once with one Core ``INSERT … RETURNING id`` (intake's hot
        path; see :func:`gridgov.kit.repository.insert_now`)."""
        return insert_now(self.session, case)

    def get(self, case_id: int) -> Case | None:
        return self.session.get(Case, case_id)

    def get_for_update(self, case_id: int) -> Case | None:
        return self.session.scalar(select(Case).where(Case.id == case_id).with_for_update())

    def by_number(self, number: str) -> Case | None:
        return self.session.scalar(select(Case).where(Case.number == number))

    def by_external(self, client_id: int, external_id: str) -> Case | None:
        stmt = select(Case).where(Case.client_id == client_id, Case.external_id == external_id)
        return self.session.scalar(stmt)

    def readable_statement(self, principal: Principal) -> Select[Any]:
        return select(Case).where(case_readable_clause(principal))

    def get_readable(self, principal: Principal, case_id: int) -> Case | None:
        stmt = self.readable_statement(principal).where(Case.id == case_id)
        return self.session.scalar(stmt)

    def filtered(self, principal: Principal, f: CaseFilter) -> Select[Any]:
        stmt = self.readable_statement(principal)
        if f.state:
            stmt = stmt.where(Case.state.in_(list(f.state)))
        if f.category_code:
            if len(f.category_code) == 3:  # a major class
                stmt = stmt.where(
                    Case.category_code >= f.category_code,
                    Case.category_code < f.category_code + ":",
                )
            else:
                stmt = stmt.where(Case.category_code == f.category_code)
        if f.grid_code:
            stmt = stmt.where(Case.grid_code >= f.grid_code, Case.grid_code < f.grid_code + ":")
        if f.department_code:
            stmt = stmt.where(Case.department_code == f.department_code)
        if f.channel:
            stmt = stmt.where(Case.channel == f.channel)
        if f.number:
            stmt = stmt.where(Case.number == f.number)
        if f.supervised:
            stmt = stmt.where(Case.supervision_level > 0)
        if f.now is not None and f.overdue is not None:
            stmt = stmt.where(
                Case.step_due_at < f.now
                if f.overdue
                else (Case.step_due_at.is_(None)) | (Case.step_due_at >= f.now)
            )
        if f.now is not None and f.warning:
            stmt = stmt.where(Case.step_warn_at <= f.now, Case.step_due_at > f.now)
        return stmt.order_by(Case.id.desc())

    def duplicates(
        self,
        *,
        category_code: str,
        lng: float,
        lat: float,
        radius_deg: float,
        principal: Principal,
        limit: int = 5,
    ) -> list[Any]:
        """Open cases of the same category near a point: a box on the (category, lat) index,
        nearest first; only the summary columns are read, as rows through Core (no ORM result
        machinery: intake asks on every report)."""
        stmt = _DUPLICATES
        clause = case_readable_clause(principal)
        if clause is not _TRUE:
            stmt = stmt.where(clause)
        params = {
            "category": category_code,
            "lat": lat,
            "lng": lng,
            "lat_min": lat - radius_deg,
            "lat_max": lat + radius_deg,
            "lng_min": lng - radius_deg * 1.2,
            "lng_max": lng + radius_deg * 1.2,
            "limit": limit,
        }
        return list(self.session.connection().execute(stmt, params).all())

    def running_with_calendar_warning(self) -> list[Case]:
        """Cases whose running clock was computed over a year nobody had entered."""
        stmt = select(Case).where(Case.step_due_at.is_not(None), Case.calendar_warning.is_not(None))
        return list(self.session.scalars(stmt))

    def overdue_ids(self, now: datetime) -> list[int]:
        """Every case whose running step clock is past due (paused clocks have no due time)."""
        return list(self.session.scalars(select(Case.id).where(Case.step_due_at < now)))

    def count_overdue(self, now: datetime) -> int:
        return self.session.scalar(select(func.count()).where(Case.step_due_at < now)) or 0

    # timeline and steps
    def add_event(self, event: CaseEvent) -> None:
        self.session.add(event)

    def events(self, case_id: int) -> list[CaseEvent]:
        stmt = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
        return list(self.session.scalars(stmt))

    def public_events(self, case_ids: Sequence[int]) -> list[CaseEvent]:
        stmt = (
            select(CaseEvent)
            .where(CaseEvent.case_id.in_(list(case_ids)), CaseEvent.public.is_(True))
            .order_by(CaseEvent.id)
        )
        return list(self.session.scalars(stmt))

    def add_step(self, step: CaseStep) -> None:
        self.session.add(step)

    def steps(self, case_id: int) -> list[CaseStep]:
        stmt = select(CaseStep).where(CaseStep.case_id == case_id).order_by(CaseStep.id)
        return list(self.session.scalars(stmt))

    def grid_worker(self, grid_code: str) -> Staff | None:
        """The grid worker currently assigned to a grid (open assignment)."""
        stmt = (
            select(Staff)
            .join(Assignment, Assignment.staff_id == Staff.id)
            .join(Region, Region.id == Assignment.region_id)
            .where(Region.code == grid_code, Assignment.ended_at.is_(None))
        )
        return self.session.scalar(stmt)

    # Open311
    def open311_requests(
        self,
        *,
        ids: Sequence[str] = (),
        service_codes: Sequence[str] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        states: Sequence[str] = (),
        limit: int = 1000,
        unpublished_prefixes: Sequence[str] = (),
    ) -> list[Case]:
        """Cases for the public Open311 listing: never uncategorised ones, never the categories
        under ``unpublished_prefixes`` (personal matters such as disputes or welfare)."""
        stmt = select(Case).where(Case.category_code.is_not(None))
        for prefix in unpublished_prefixes:
            stmt = stmt.where(Case.category_code.not_like(f"{prefix}%"))
        if ids:
            stmt = stmt.where(Case.number.in_(list(ids)))
        if service_codes:
            stmt = stmt.where(Case.category_code.in_(list(service_codes)))
        if start is not None:
            stmt = stmt.where(Case.reported_at >= start)
        if end is not None:
            stmt = stmt.where(Case.reported_at <= end)
        if states:
            stmt = stmt.where(Case.state.in_(list(states)))
        stmt = stmt.order_by(Case.reported_at.desc(), Case.id.desc()).limit(limit)
        return list(self.session.scalars(stmt))


class CategoryRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def categories(self) -> list[CaseCategory]:
        stmt = select(CaseCategory).order_by(CaseCategory.sort_order, CaseCategory.code)
        return list(self.session.scalars(stmt))

    def get(self, code: str) -> CaseCategory | None:
        return self.session.scalar(select(CaseCategory).where(CaseCategory.code == code))

    def departments(self) -> list[Department]:
        return list(self.session.scalars(select(Department).order_by(Department.code)))


class ChannelClientRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, client: ChannelClient) -> ChannelClient:
        self.session.add(client)
        self.session.flush()
        return client

    def by_key_hash(self, key_hash: str) -> ChannelClient | None:
        stmt = select(ChannelClient).where(
            ChannelClient.key_hash == key_hash, ChannelClient.active.is_(True)
        )
        return self.session.scalar(stmt)
