"""Life events through the rules: an event arrives (idempotently), its person and address are
found, each matching rule makes a task for the grid's worker or acts at once, and completing the
task runs what the rule says. What cannot be handled becomes a finding for staff."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import LIFECYCLE_STAFF, require
from gridgov.authz.principal import Principal, system_principal
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Forbidden, GridgovError, NotFound
from gridgov.lifecycle import actions, rulebook
from gridgov.lifecycle.events import Event, EventType, check_event, sealed_payload
from gridgov.lifecycle.intake import Lookups
from gridgov.lifecycle.repository import LifecycleRepository, Place
from gridgov.lifecycle.rules import Rule, RuleBook
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.person import Person
from gridgov.models.task import Task
from gridgov.tasks import service as tasks
from gridgov.tasks.service import NewTask

# Open items staff act on: the event could not be turned into work on its own.
FINDING = "finding"
# Events read, stored and handled together (see receive_many).
BATCH = 500


class EventNotFound(NotFound):
    code = "life_event_not_found"


def receive(
    session: Session, *, principal: Principal, event: Event, strict: bool = True
) -> LifeEvent:
    """Handle one event; the same (source, source_ref) again returns the stored one.

    ``strict``: an event missing what its type requires is refused (the API); otherwise (a
    department file) it is stored as a finding for staff."""
    return receive_many(session, principal=principal, events=[event], strict=strict)[0]


def receive_many(
    session: Session, *, principal: Principal, events: Sequence[Event], strict: bool = True
) -> list[LifeEvent]:
    """Handle events in order, :data:`BATCH` at a time, as :func:`receive` does one (the stored
    row of each, in order; an event repeated in the list is stored once).

    A batch reads what it needs at once (:class:`~gridgov.lifecycle.intake.Lookups`), stores
    its events with one flush, runs the rules' actions in one savepoint — only when one of them
    is refused does the batch run again with a savepoint per event, so the refusal becomes that
    event's finding and the others stand — and creates its tasks together."""
    rows: list[LifeEvent] = []
    for start in range(0, len(events), BATCH):
        rows.extend(_receive_batch(session, principal, events[start : start + BATCH], strict))
    return rows


@dataclass
class _Arrival:
    event: Event
    row: LifeEvent
    person: Person | None = None
    place: Place | None = None


@dataclass
class _Outcome:
    rule_code: str | None = None
    status: str = "no_rule"
    problems: list[str] = field(default_factory=list)
    tasks: list[tuple[Rule, NewTask]] = field(default_factory=list)


def _receive_batch(
    session: Session, principal: Principal, events: Sequence[Event], strict: bool
) -> list[LifeEvent]:
    stored = LifecycleRepository(session).events_by_refs((e.source, e.source_ref) for e in events)
    checked: list[tuple[Event, EventType | None, str]] = []
    seen: set[tuple[str, str]] = set()
    for event in events:
        key = (event.source, event.source_ref)
        if key in stored or key in seen:
            continue
        seen.add(key)
        try:
            checked.append((event, check_event(event), ""))
        except BadRequest as exc:
            if strict:
                raise
            checked.append((event, None, exc.message))
    if not checked:
        return [stored[(e.source, e.source_ref)] for e in events]
    lookups = Lookups(session, [(kind, event) for event, kind, _ in checked if kind is not None])
    arrivals: list[_Arrival] = []
    unusable: list[LifeEvent] = []
    for event, kind, reason in checked:
        if kind is None:
            row = _unusable(event, reason)
            unusable.append(row)
        else:
            arrival = _arrive(lookups, kind, event)
            arrivals.append(arrival)
            row = arrival.row
        session.add(row)
        stored[(event.source, event.source_ref)] = row
    session.flush()
    book = rulebook.current(session)
    try:
        with session.begin_nested():
            outcomes = _apply_batch(session, book, lookups, arrivals)
    except Forbidden:
        raise
    except (GridgovError, IntegrityError):
        # Refused by the base: again, each event's actions in a savepoint of their own (the
        # refusal becomes that event's finding); the batch's savepoint took back the first try.
        outcomes = [_apply(session, book, lookups, a, batch=False) for a in arrivals]
    made = iter(
        tasks.create_many(
            session,
            principal=system_principal("lifecycle"),
            tasks=[spec for outcome in outcomes for _, spec in outcome.tasks],
        )
    )
    for arrival, outcome in zip(arrivals, outcomes, strict=True):
        row = arrival.row
        row.rule_code, row.status = outcome.rule_code, outcome.status
        for rule, _ in outcome.tasks:
            task = next(made)
            if row.task_id is None:
                row.task_id = task.id
                row.on_complete = list(rule.task.on_complete if rule.task else ())
        if outcome.problems:
            _finding(row, outcome.problems, arrival.person)
    trail.record_many(
        session,
        principal=principal,
        entries=[_received(row) for row in [*unusable, *(a.row for a in arrivals)]],
    )
    return [stored[(e.source, e.source_ref)] for e in events]


def _arrive(lookups: Lookups, kind: EventType, event: Event) -> _Arrival:
    person, place, household_id = lookups.locate(kind, event)
    row = LifeEvent(
        event_type=event.event_type,
        source=event.source,
        source_ref=event.source_ref,
        occurred_on=event.occurred_on,
        payload=sealed_payload(event.data),
        person_id=person.id if person else None,
        house_id=place.house_id if place else (person.house_id if person else None),
        household_id=household_id,
        grid_code=place.grid_code if place else (person.grid_code if person else ""),
        status="no_rule",
        on_complete=[],
    )
    return _Arrival(event, row, person, place)


def _apply_batch(
    session: Session, book: RuleBook, lookups: Lookups, arrivals: list[_Arrival]
) -> list[_Outcome]:
    """The rules of a batch's events, their changes flushed together at the end. The actions'
    queries do not flush: an event that concerns a person an earlier event of the batch
    concerned (or no known person) first flushes the batch's changes, so it sees them."""
    outcomes: list[_Outcome] = []
    touched: set[int] = set()
    with session.no_autoflush:
        for arrival in arrivals:
            concerned = arrival.person.id if arrival.person is not None else None
            if concerned is None or concerned in touched:
                session.flush()
            if concerned is not None:
                touched.add(concerned)
            outcomes.append(_apply(session, book, lookups, arrival, batch=True))
    session.flush()
    lookups.record_opened()
    return outcomes


def _apply(
    session: Session, book: RuleBook, lookups: Lookups, arrival: _Arrival, *, batch: bool
) -> _Outcome:
    """The matching rules of one event: their tasks (made later, together) and their actions
    (run now: in the batch's savepoint, or in one of their own)."""
    outcome = _Outcome()
    for rule in book.for_event(arrival.event.event_type):
        if not _matches(rule, arrival.event, arrival.person):
            continue
        outcome.rule_code = outcome.rule_code or rule.code
        if rule.task is not None:
            task = lookups.task(arrival.row, rule, arrival.person, arrival.place)
            if isinstance(task, str):
                outcome.problems.append(task)
            else:
                outcome.tasks.append((rule, task))
                outcome.status = "tasked"
        if rule.actions:
            if outcome.status == "no_rule":
                outcome.status = "applied"
            outcome.problems.extend(
                actions.run_guarded(
                    session,
                    arrival.row,
                    rule.actions,
                    system_principal("lifecycle"),
                    batch=lookups if batch else None,
                )
            )
    return outcome


def _unusable(event: Event, reason: str) -> LifeEvent:
    return LifeEvent(
        event_type=event.event_type[:32],
        source=event.source,
        source_ref=event.source_ref,
        occurred_on=event.occurred_on,
        payload=sealed_payload(event.data),
        grid_code="",
        status=FINDING,
        on_complete=[],
        reason=reason[:200],
    )


def _received(row: LifeEvent) -> trail.Entry:
    """The event's trail entry, with what became of it."""
    return trail.Entry(
        "life_event.receive",
        "life_event",
        row.id,
        after={
            "type": row.event_type,
            "source": row.source,
            "source_ref": row.source_ref,
            "status": row.status,
            "task_id": row.task_id,
        },
    )


def _matches(rule: Rule, event: Event, person: Person | None) -> bool:
    for name, wanted in rule.when.items():
        value = event.data.get(name)
        if value is None and person is not None:
            value = getattr(person, name, None)
        if str(value) != str(wanted):
            return False
    return True


def _finding(row: LifeEvent, problems: list[str], person: Person | None) -> None:
    row.reason = "；".join(problems)[:200]
    if row.status in ("tasked",):
        return
    row.status = FINDING
    if not row.grid_code and person is not None:
        # No grid from the address: the person's community staff take it.
        row.grid_code = person.grid_code[:12]


def on_task_complete(session: Session, task: Task, principal: Principal) -> None:
    """A rule's task is done: run what its completion does (registered for every kind)."""
    row = LifecycleRepository(session).event_of_task(task.id)
    if row is None:
        return
    problems = actions.run_guarded(session, row, row.on_complete or [], principal, task)
    row.resolved_at = utcnow()
    if problems:
        row.status = FINDING
        row.reason = "；".join(problems)[:200]
    else:
        row.status = "done"
    trail.record(
        session,
        action="life_event.task_done",
        object_type="life_event",
        object_id=row.id,
        principal=principal,
        after={"status": row.status, "reason": row.reason, "person_id": row.person_id},
    )


tasks.on_complete("*", on_task_complete)


# -- reading ------------------------------------------------------------------------------------
def list_events(
    session: Session,
    *,
    principal: Principal,
    status: str | None = None,
    event_type: str | None = None,
    limit: int = 200,
) -> list[LifeEvent]:
    statement = LifecycleRepository(session).readable_events(principal)
    if status:
        statement = statement.where(LifeEvent.status == status)
    if event_type:
        statement = statement.where(LifeEvent.event_type == event_type)
    return list(session.scalars(statement.order_by(LifeEvent.id.desc()).limit(limit)))


def get_event(session: Session, *, principal: Principal, event_id: int) -> LifeEvent:
    row = session.scalars(
        LifecycleRepository(session).readable_events(principal).where(LifeEvent.id == event_id)
    ).first()
    if row is None:
        raise EventNotFound("事件不存在或无权查看", "Event not found or not yours")
    return row


def resolve_finding(
    session: Session, *, principal: Principal, event_id: int, note: str
) -> LifeEvent:
    require(principal, LIFECYCLE_STAFF)
    row = get_event(session, principal=principal, event_id=event_id)
    if row.status != FINDING:
        raise EventNotFound("该事件不是待处理事项", "This event is not an open finding")
    before: dict[str, Any] = {"status": row.status, "reason": row.reason}
    row.status = "resolved"
    row.resolved_at = utcnow()
    trail.record(
        session,
        action="life_event.resolve",
        object_type="life_event",
        object_id=row.id,
        principal=principal,
        before=before,
        after={"status": row.status},
        note=note[:200],
    )
    return row
