"""Life events through the rules: an event arrives (idempotently), its person and address are
found, each matching rule makes a task for the grid's worker or acts at once, and completing the
task runs what the rule says. What cannot be handled becomes a finding for staff."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import LIFECYCLE_STAFF, require
from gridgov.authz.principal import Principal, system_principal
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Forbidden, GridgovError, NotFound
from gridgov.lifecycle import actions, admission, proxy, rulebook
from gridgov.lifecycle.events import Event, EventType, check_event
from gridgov.lifecycle.repository import LifecycleRepository, Place
from gridgov.lifecycle.rules import Rule
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.person import Person
from gridgov.models.task import Task
from gridgov.tasks import service as tasks

# Open items staff act on: the event could not be turned into work on its own.
FINDING = "finding"


class EventNotFound(NotFound):
    code = "life_event_not_found"


def receive(
    session: Session, *, principal: Principal, event: Event, strict: bool = True
) -> LifeEvent:
    """Handle one event; the same (source, source_ref) again returns the stored one.

    ``strict``: an event missing what its type requires is refused (the API); otherwise (a
    department file) it is stored as a finding for staff."""
    repository = LifecycleRepository(session)
    existing = repository.event_by_ref(event.source, event.source_ref)
    if existing is not None:
        return existing
    try:
        kind = check_event(event)
    except BadRequest as exc:
        if strict:
            raise
        return _unusable(session, principal, event, exc.message)
    person, place, household_id = _locate(repository, kind, event)
    grid = place.grid_code if place else (person.grid_code if person else "")
    row = LifeEvent(
        event_type=event.event_type,
        source=event.source,
        source_ref=event.source_ref,
        occurred_on=event.occurred_on,
        payload=dict(event.data),
        person_id=person.id if person else None,
        house_id=place.house_id if place else (person.house_id if person else None),
        household_id=household_id,
        grid_code=grid,
        status="no_rule",
        on_complete=[],
    )
    session.add(row)
    session.flush()
    problems: list[str] = []
    book = rulebook.current(session)
    for rule in book.for_event(event.event_type):
        if not _matches(rule, event, person):
            continue
        row.rule_code = row.rule_code or rule.code
        if rule.task is not None:
            problems.extend(_make_task(session, row, rule, person, place))
        if rule.actions:
            if row.status == "no_rule":
                row.status = "applied"
            problems.extend(_run(session, row, rule.actions, system_principal("lifecycle")))
    if problems:
        _finding(row, problems, person)
    return _received(session, row, principal)


def _unusable(session: Session, principal: Principal, event: Event, reason: str) -> LifeEvent:
    row = LifeEvent(
        event_type=event.event_type[:32],
        source=event.source,
        source_ref=event.source_ref,
        occurred_on=event.occurred_on,
        payload=dict(event.data),
        grid_code="",
        status=FINDING,
        on_complete=[],
        reason=reason[:200],
    )
    session.add(row)
    session.flush()
    return _received(session, row, principal)


def _received(session: Session, row: LifeEvent, principal: Principal) -> LifeEvent:
    """The event in the trail, with what became of it."""
    trail.record(
        session,
        action="life_event.receive",
        object_type="life_event",
        object_id=row.id,
        principal=principal,
        after={
            "type": row.event_type,
            "source": row.source,
            "source_ref": row.source_ref,
            "status": row.status,
            "task_id": row.task_id,
        },
    )
    return row


def _locate(
    repository: LifecycleRepository, kind: EventType, event: Event
) -> tuple[Person | None, Place | None, int | None]:
    """(the person the event concerns, the place it happens, the household to prefill)."""
    data = event.data
    place = repository.resolve_address(data.get("address"))
    if kind.code == "birth":
        # Until the worker confirms the newborn, a birth concerns the mother (childbirth).
        mother = repository.person_by_id_number(data.get("mother_id"))
        household = None
        if place is not None and place.house_id is not None:
            if mother is not None and mother.house_id == place.house_id and mother.household_id:
                household = repository.household(mother.household_id)
            household = household or repository.household_of_house(place.house_id)
        return mother, place, household.id if household else None
    if event.person_id is not None:
        person = repository.person(event.person_id)
    else:
        person = repository.person_by_id_number(data.get("id_number"))
    if person is not None and place is None:
        house = repository.house(person.house_id)
        if house is not None:
            place = Place(house.id, house.grid_code, house.address, house.lng, house.lat)
        else:
            place = Place(None, person.grid_code, person.current_address or "")
    return person, place, person.household_id if person else None


def _matches(rule: Rule, event: Event, person: Person | None) -> bool:
    for name, wanted in rule.when.items():
        value = event.data.get(name)
        if value is None and person is not None:
            value = getattr(person, name, None)
        if str(value) != str(wanted):
            return False
    return True


def _describe(row: LifeEvent, place: Place | None, session: Session) -> str:
    data = row.payload or {}
    if row.event_type == "birth":
        household = LifecycleRepository(session).household(row.household_id)
        parts = [
            f"医院：{data.get('hospital') or '—'}",
            f"出生时间：{data.get('birth_time')}",
            f"体重：{data.get('weight_g') or '—'} 克",
            f"母亲：{data.get('mother_name')}",
            f"父亲：{data.get('father_name') or '—'}",
            f"地址：{data.get('address')}",
            "随户（预填）："
            + (f"{household.household_no} {household.address or ''}" if household else "未找到"),
        ]
        return "\n".join(parts)
    fields = [f"{k}：{v}" for k, v in data.items() if k not in ("id_number",) and v]
    return "\n".join([f"地址：{place.address if place else '—'}", *fields])[:4000]


def _make_task(
    session: Session, row: LifeEvent, rule: Rule, person: Person | None, place: Place | None
) -> list[str]:
    assert rule.task is not None
    template = rule.task
    if place is None or not place.grid_code:
        return ["地址无法解析到网格，请社区工作人员核实"]
    if admission.admission_of(session, template.kind) is None:
        return [f"任务类型「{template.kind}」未经准入，未派发"]
    due = proxy.due_after(session, utcnow(), template.due_working_days)
    title = template.title
    if row.event_type == "birth":
        sex = actions.sex_of((row.payload or {}).get("baby_sex"))
        title = f"{title}：{(row.payload or {}).get('mother_name')}之{'子' if sex == 'M' else '女'}"
    elif person is not None:
        title = f"{title}：{person.name}"
    task = tasks.create(
        session,
        principal=system_principal("lifecycle"),
        kind=template.kind,
        title=title[:200],
        description=_describe(row, place, session),
        grid_code=place.grid_code,
        due_at=due,
        module_code=template.module,
        subject_type="person" if person is not None and row.event_type != "birth" else None,
        subject_id=str(person.id) if person is not None and row.event_type != "birth" else None,
        lng=place.lng,
        lat=place.lat,
        source_ref=f"event:{row.id}:{rule.code}"[:100],
    )
    if row.task_id is None:
        row.task_id = task.id
        row.on_complete = list(template.on_complete)
    row.status = "tasked"
    return []


def _run(
    session: Session,
    row: LifeEvent,
    names: tuple[str, ...] | list[str],
    principal: Principal,
    task: Task | None = None,
) -> list[str]:
    """Run actions in a savepoint: a refusal from the base (a duplicate ID, a stale version)
    becomes the reason of a finding instead of failing the department's push or the sync."""
    context = actions.Context(session=session, principal=principal, event=row, task=task)
    try:
        with session.begin_nested():
            return actions.run(context, names)
    except Forbidden:
        raise
    except GridgovError as exc:
        return [exc.message[:150]]


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
    problems = _run(session, row, row.on_complete or [], principal, task)
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
