"""A person's timeline from birth to death: every version of the record, every life event,
task, proxy service, case (at their home, or reported from their phone), department record (as
reconciliation linked it) and family link that concerns them, newest first, each with its
source."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases.categories import reference
from gridgov.kit.crypto import mask_free_text, mask_phone
from gridgov.lifecycle import proxy, rulebook
from gridgov.lifecycle.events import EVENT_TYPES
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.models.house import House
from gridgov.models.lifecycle import FamilyLink, LifeEvent
from gridgov.models.person import Person
from gridgov.models.source import Source, SourceLink
from gridgov.models.task import Task
from gridgov.people import service as people
from gridgov.people.sensitive import reveal
from gridgov.sources.addresses import address_key

# How many of the newest readable cases of the home's grid (and from the phone) are looked at.
CASES_LOOKED_AT = 2000


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timeline(session: Session, *, principal: Principal, person_id: int) -> dict[str, Any]:
    """The person (masked, through the people service's scope) and the entries."""
    person = people.get_person(session, principal=principal, person_id=person_id)
    repository = LifecycleRepository(session)
    entries: list[dict[str, Any]] = []
    for version in people.person_history(session, principal=principal, person_id=person_id):
        entries.append(
            {
                "at": version.changed_at,
                "kind": "version",
                "title": f"第 {version.version} 版",
                "detail": version.change_reason or "",
                "source": version.change_source,
                "ref": f"person:{person_id}@v{version.version}",
            }
        )
    links = repository.family(person_id)
    events = {e.id: e for e in repository.events_of_person([person_id])}
    child_events = [
        link.event_id for link in links if link.event_id and link.parent_id == person_id
    ]
    if child_events:
        for event in session.scalars(select(LifeEvent).where(LifeEvent.id.in_(child_events))):
            events[event.id] = event
    for event in events.values():
        kind = EVENT_TYPES.get(event.event_type)
        entries.append(
            {
                "at": event.created_at,
                "kind": "event",
                "title": kind.title if kind else event.event_type,
                "detail": event.reason or "",
                "source": event.source,
                "ref": f"event:{event.id}",
                "status": event.status,
            }
        )
    task_ids = {e.task_id for e in events.values() if e.task_id}
    tasks = session.scalars(
        select(Task).where(
            ((Task.subject_type == "person") & (Task.subject_id == str(person_id)))
            | Task.id.in_(sorted(task_ids))
        )
    )
    for task in tasks:
        entries.append(
            {
                "at": task.completed_at or task.created_at,
                "kind": "task",
                "title": task.title,
                "detail": task.state,
                "source": "task",
                "ref": f"task:{task.id}",
                "status": task.state,
            }
        )
    catalogue = rulebook.current(session).services
    for row in proxy.list_readable(session, principal=principal, states=(), person_id=person_id):
        kind_of = catalogue.get(row.service_code)
        entries.append(
            {
                "at": row.closed_at or row.created_at,
                "kind": "service",
                "title": kind_of.title if kind_of else row.service_code,
                "detail": row.result or "",
                "source": row.department_code,
                "ref": f"service:{row.id}",
                "status": row.state,
                "overdue": proxy.is_overdue(row),
            }
        )
    entries.extend(_cases(session, principal, person_id))
    entries.extend(_department_records(session, person_id))
    relatives = _relatives(session, links, person_id)
    entries.sort(key=lambda e: _aware(e["at"]), reverse=True)
    return {"person": person, "entries": entries, "family": relatives}


def _cases(session: Session, principal: Principal, person_id: int) -> list[dict[str, Any]]:
    """Cases about the person's home (any spelling of the house's address: the reconciliation's
    address key; among the newest cases of the home's grid) or reported from the person's phone
    (anywhere in the city) — only those ``principal`` may read (the case list's own scope)."""
    person = session.get(Person, person_id)
    if person is None:
        return []
    house = session.get(House, person.house_id) if person.house_id else None
    home = address_key(house.address) if house is not None else None
    phone = reveal(person.phone_enc)
    grids = {g for g in (person.grid_code, house.grid_code if house else None) if g}
    if not (home or phone):
        return []
    categories = reference(session).categories
    found = []
    for row in LifecycleRepository(session).readable_cases_about(
        principal,
        grids=grids if home else (),
        masked_phone=mask_phone(phone) if phone else None,
        limit=CASES_LOOKED_AT,
    ):
        at_home = home is not None and address_key(row.address) == home
        reported = (
            phone is not None and row.reporter_phone_enc and reveal(row.reporter_phone_enc) == phone
        )
        if not (at_home or reported):
            continue
        category = categories.get(row.category_code or "")
        found.append(
            {
                "at": row.closed_at or row.reported_at,
                "kind": "case",
                "title": f"{row.number} {category.name if category else ''}".strip(),
                "detail": mask_free_text(row.description or "")[:60],
                "source": row.channel,
                "ref": f"case:{row.id}",
                "href": f"/cases/{row.id}",
                "status": row.state,
                "why": "reported" if reported else "home",
            }
        )
    return found


def _department_records(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The departments' records reconciliation linked to the person (the current decision)."""
    rows = session.execute(
        select(SourceLink.decided_at, SourceLink.record_key, Source.title, Source.department_code)
        .join(Source, Source.id == SourceLink.source_id)
        .where(
            SourceLink.person_id == person_id,
            SourceLink.current.is_(True),
            SourceLink.decision.in_(["auto_linked", "accepted", "created"]),
        )
        .limit(200)
    )
    return [
        {
            "at": decided_at,
            "kind": "record",
            "title": title,
            "detail": key,
            "source": department,
            "ref": f"record:{key}",
        }
        for decided_at, key, title, department in rows
    ]


def _relatives(session: Session, links: list[FamilyLink], person_id: int) -> list[dict[str, Any]]:
    ids = {link.child_id for link in links} | {link.parent_id for link in links}
    ids.discard(person_id)
    rows = session.execute(select(Person.id, Person.name).where(Person.id.in_(sorted(ids))))
    names = {person_id: name for person_id, name in rows}
    out: list[dict[str, Any]] = []
    for link in links:
        is_child = link.child_id == person_id
        other = link.parent_id if is_child else link.child_id
        relation = link.relation if is_child else "child"
        out.append({"person_id": other, "relation": relation, "name": names.get(other, "")})
    return out
