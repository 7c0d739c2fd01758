"""Department records become life events: a listener on the department sources
(:func:`gridgov.sources.hooks.on_records`), so births, deaths and moves arrive through the one
registry of sources, keys and mappings. A record the rules cannot use becomes a finding, never
a refused batch."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.lifecycle import service
from gridgov.lifecycle.actions import parse_day
from gridgov.lifecycle.events import Event
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.sources.hooks import on_records


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def events_of(source: Any, record: Any) -> list[Event]:
    """The life events a department record carries (none for most records)."""
    data = {k: _text(v) for k, v in (record.normalised or {}).items()}
    ref = f"{source.name}:{record.record_key}"
    day = parse_day(data.get("birth_date")) or date.today()
    if source.kind == "birth" and record.version == 1:
        return [
            Event(
                "birth",
                source.department_code,
                ref,
                day,
                data={
                    "baby_sex": data.get("sex"),
                    "birth_time": data.get("birth_date"),
                    "hospital": data.get("hospital"),
                    "mother_name": data.get("mother_name"),
                    "mother_id": data.get("mother_id_number"),
                    "father_name": data.get("father_name"),
                    "father_id": data.get("father_id_number"),
                    "address": data.get("current_address"),
                    "baby_name": data.get("name"),
                    "birth_cert_no": data.get("birth_cert_no"),
                },
            )
        ]
    if source.kind != "hukou" or not data.get("id_number"):
        return []
    person = {k: data.get(k) for k in ("id_number", "name", "household_no", "birth_date")}
    status = data.get("status")
    if status == "deceased":
        died = parse_day(data.get("death_date")) or day
        return [Event("death", "GA", f"{ref}:death", died, {**person, "died_on": died.isoformat()})]
    if status == "moved_out":
        return [Event("move_out", "GA", f"{ref}:move_out", day, person)]
    if record.version == 1 and (date.today() - day).days < 366:
        # A first resident ID for a child of the last year: it may be a newborn of the base.
        return [Event("id_issued", "GA", f"{ref}:id", day, person)]
    return []


def _awaited(session: Session, event: Event) -> bool:
    """An ID record concerns the life cycle only when the base holds a newborn waiting for it."""
    if event.event_type != "id_issued":
        return True
    repository = LifecycleRepository(session)
    if repository.person_by_id_number(event.data.get("id_number")) is not None:
        return False
    return bool(repository.newborns_in_household(event.data.get("household_no"), None))


@on_records
def on_department_records(
    session: Session, principal: Principal, source: Any, records: list[Any]
) -> None:
    """The batch's events go through the rules together (``receive_many``: one read, one
    flush per batch of events)."""
    events = [
        event
        for record in records
        for event in events_of(source, record)
        if _awaited(session, event)
    ]
    if events:
        service.receive_many(session, principal=principal, events=events, strict=False)
