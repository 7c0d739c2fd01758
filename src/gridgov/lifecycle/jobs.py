"""Computed events, as plain functions ``(session, principal, today)`` for the scheduler (and
``gridgov lifecycle run-jobs`` meanwhile): people turning 60 and 80, permits expiring in 30
days, children turning 16 without an ID card. Each looks back a week, so a missed day is caught
up; the event's source_ref (``computed:<type>:<person>``) makes a second run a no-op."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.lifecycle import service
from gridgov.lifecycle.events import Event
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.models.person import IdType, LivingStatus, Person, ResidenceType

LOOKBACK_DAYS = 7
PERMIT_NOTICE_DAYS = 30


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _emit(
    session: Session, principal: Principal, today: date, event_type: str, rows: list[tuple]
) -> int:
    """Receive one computed event per (person_id, ref_suffix, data) not yet received."""
    refs = [f"computed:{event_type}:{person_id}{suffix}" for person_id, suffix, _ in rows]
    seen = LifecycleRepository(session).existing_refs("computed", refs)
    events = [
        Event(event_type, "computed", ref, today, data=data, person_id=person_id)
        for (person_id, _, data), ref in zip(rows, refs, strict=True)
        if ref not in seen
    ]
    service.receive_many(session, principal=principal, events=events)
    return len(events)


def _turning(session: Session, principal: Principal, today: date, age: int, event_type: str) -> int:
    newest = years_before(today, age)
    oldest = newest - timedelta(days=LOOKBACK_DAYS)
    ids = session.scalars(
        select(Person.id).where(
            Person.birth_date > oldest,
            Person.birth_date <= newest,
            Person.living_status == LivingStatus.ALIVE,
        )
    )
    return _emit(session, principal, today, event_type, [(i, "", {"age": age}) for i in ids])


def turning_60(session: Session, principal: Principal, today: date) -> int:
    return _turning(session, principal, today, 60, "turning_60")


def turning_80(session: Session, principal: Principal, today: date) -> int:
    return _turning(session, principal, today, 80, "turning_80")


def permits_expiring(session: Session, principal: Principal, today: date) -> int:
    until = today + timedelta(days=PERMIT_NOTICE_DAYS)
    rows = session.execute(
        select(Person.id, Person.permit_expires_on).where(
            Person.residence_type == ResidenceType.FLOATING,
            Person.living_status == LivingStatus.ALIVE,
            Person.permit_expires_on > today,
            Person.permit_expires_on <= until,
        )
    )
    return _emit(
        session,
        principal,
        today,
        "permit_expiring",
        [(pid, f":{exp}", {"expires_on": str(exp)}) for pid, exp in rows],
    )


def children_16_without_id(session: Session, principal: Principal, today: date) -> int:
    newest = years_before(today, 16)
    oldest = newest - timedelta(days=LOOKBACK_DAYS)
    ids = session.scalars(
        select(Person.id).where(
            Person.birth_date > oldest,
            Person.birth_date <= newest,
            Person.id_type != IdType.RESIDENT_ID,
            Person.living_status == LivingStatus.ALIVE,
        )
    )
    return _emit(
        session, principal, today, "child_16_without_id", [(i, "", {"age": 16}) for i in ids]
    )


JOBS: dict[str, Callable[[Session, Principal, date], int]] = {
    "lifecycle.turning_60": turning_60,
    "lifecycle.turning_80": turning_80,
    "lifecycle.permits_expiring": permits_expiring,
    "lifecycle.children_16_without_id": children_16_without_id,
}


def run_all(session: Session, principal: Principal, today: date) -> dict[str, int]:
    return {name: job(session, principal, today) for name, job in JOBS.items()}
