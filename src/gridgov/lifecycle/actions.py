"""What a rule does: at once when the event arrives (``actions``) or when the worker completes
its task (``on_complete``). Each action returns None when done, or the reason it could not be
done — which makes the event a finding for staff, never a silent drop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, system_principal
from gridgov.kit.errors import Forbidden, GridgovError
from gridgov.lifecycle import proxy
from gridgov.lifecycle.events import payload_of
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.models.lifecycle import FamilyLink, LifeEvent
from gridgov.models.person import IdType, LivingStatus, Person
from gridgov.models.task import Task
from gridgov.people import service as people
from gridgov.people.schemas import PersonCreate, PersonUpdate
from gridgov.tasks import service as tasks

if TYPE_CHECKING:  # the batch's look-ups (intake) use this module's helpers
    from gridgov.lifecycle.intake import Lookups

SOURCE = "lifecycle"
DEPARTMENT_NAMES = {
    "GA": "公安",
    "WJ": "卫健",
    "MZ": "民政",
    "RS": "人社",
    "JY": "教育",
    "RWB": "人武部",
    "ZJ": "房管",
    "SCJG": "市场监管",
    "CG": "城管",
}


@dataclass
class Context:
    session: Session
    principal: Principal
    event: LifeEvent
    task: Task | None = None
    argument: str = ""
    # A batch of arriving events: what it read at once; changes wait for the batch's flush.
    batch: Lookups | None = None

    @property
    def flush(self) -> bool:
        return self.batch is None

    @property
    def data(self) -> dict[str, Any]:
        """The event's payload in plain (ID numbers decrypted: the actions look persons up)."""
        return payload_of(self.event.payload)

    @property
    def result(self) -> dict[str, Any]:
        return (self.task.result if self.task else None) or {}

    @property
    def repository(self) -> LifecycleRepository:
        return LifecycleRepository(self.session)


Action = Callable[[Context], str | None]


def parse_day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    for cut in (10, 8):
        for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
            try:
                return datetime.strptime(text[:cut], fmt).date()
            except ValueError:
                continue
    return None


def sex_of(value: Any) -> str | None:
    text = str(value or "").strip().upper()
    return {"男": "M", "M": "M", "1": "M", "女": "F", "F": "F", "2": "F"}.get(text)


def _relation(parent: Person | None) -> str | None:
    if parent is None or parent.household_id is None:
        return None
    return {"head": "child", "spouse": "child", "child": "grandchild"}.get(
        parent.relation_to_head or "", "other"
    )


def create_newborn(ctx: Context) -> str | None:
    """The worker confirmed the newborn: a person without an ID (birth certificate), linked to
    mother, father and household. A family not living at the address is a finding instead."""
    result, data, repository = ctx.result, ctx.data, ctx.repository
    if result.get("lives_here") == "no":
        return "家庭不在登记地址居住，请社区核查去向"
    household = repository.household(ctx.event.household_id)
    if result.get("household_ok") == "no" and result.get("household_no"):
        household = repository.household_by_no(str(result["household_no"]))
        if household is None:
            return f"户号「{result['household_no']}」不在人口库中"
    mother = repository.person_by_id_number(data.get("mother_id"))
    father = repository.person_by_id_number(data.get("father_id"))
    sex = sex_of(data.get("baby_sex"))
    born = parse_day(data.get("birth_time"))
    name = str(result.get("baby_name") or data.get("baby_name") or "").strip()
    if sex is None or born is None or not name:
        return "出生记录缺少姓名、性别或出生时间"
    certificate = str(data.get("birth_cert_no") or f"CS{ctx.event.id:08d}")
    newborn = people.create_person(
        ctx.session,
        principal=ctx.principal,
        person_in=PersonCreate(
            id_type=IdType.BIRTH_CERT,
            id_number=certificate,
            name=name,
            sex=sex,
            birth_date=born,
            current_address=str(data.get("address") or "")[:200] or None,
            household_id=household.id if household else None,
            relation_to_head=_relation(mother or father),
            house_id=ctx.event.house_id,
            grid_code=ctx.event.grid_code,
        ),
        source=SOURCE,
        reason=f"新生儿上门核实 事件{ctx.event.id}",
    )
    for parent, relation in ((mother, "mother"), (father, "father")):
        if parent is not None:
            ctx.session.add(
                FamilyLink(
                    child_id=newborn.id,
                    parent_id=parent.id,
                    relation=relation,
                    event_id=ctx.event.id,
                )
            )
    ctx.event.person_id = newborn.id
    ctx.session.flush()
    return None


def open_service(ctx: Context) -> str | None:
    person = ctx.repository.person(ctx.event.person_id)
    if person is None:
        return "人口库中没有此人，无法开启代办"
    row = proxy.open_service(
        ctx.session,
        principal=ctx.principal,
        code=ctx.argument,
        person_id=person.id,
        grid_code=person.grid_code,
        event_id=ctx.event.id,
        task_id=ctx.task.id if ctx.task else None,
        known=ctx.batch.open_services(person.id, ctx.argument) if ctx.batch else None,
        flush=ctx.flush,
    )
    if ctx.batch is not None:
        ctx.batch.opened(row, ctx.principal)
    return None


def link_id_number(ctx: Context) -> str | None:
    """The police's first ID for a newborn: found by birth certificate, or as the mother's
    child without an ID; the number replaces the certificate and the birth service is done."""
    data, repository = ctx.data, ctx.repository
    child = repository.person_by_id_number(data.get("birth_cert_no"))
    if child is None and data.get("mother_id"):
        mother = repository.person_by_id_number(data.get("mother_id"))
        candidates = repository.children_without_id(mother.id) if mother else []
        named = [c for c in candidates if c.name == data.get("name")] or candidates
        child = named[0] if len(named) == 1 else None
    if child is None:
        found = repository.newborns_in_household(
            data.get("household_no"), parse_day(data.get("birth_date"))
        )
        child = found[0] if len(found) == 1 else None
    if child is None:
        return "未找到对应的新生儿（出生证编号、母亲身份证或户号）"
    people.update_person(
        ctx.session,
        principal=system_principal("lifecycle"),
        person_id=child.id,
        changes=PersonUpdate(id_type=IdType.RESIDENT_ID, id_number=str(data["id_number"])),
        source="GA",
        flush=ctx.flush,
        reason=f"公安首次申领身份证 事件{ctx.event.id}",
    )
    ctx.event.person_id = child.id
    ctx.event.grid_code = child.grid_code
    for row in repository.open_services(child.id, "birth_registration"):
        proxy.close(
            ctx.session, principal=ctx.principal, row=row, state="done", result="公安已登记身份证号"
        )
    return None


def set_deceased(ctx: Context) -> str | None:
    """Deceased is a state, never a delete; the person's open services and tasks close."""
    if ctx.task is not None and ctx.result.get("result") == "fail":
        return "网格员核实：死亡信息不实，请与报送部门核对"
    person = ctx.repository.person(ctx.event.person_id)
    if person is None:
        return "人口库中没有此人"
    system = system_principal("lifecycle")
    if person.living_status != LivingStatus.DECEASED:
        people.update_person(
            ctx.session,
            principal=system,
            person_id=person.id,
            changes=PersonUpdate(living_status=LivingStatus.DECEASED),
            source=ctx.event.source,
            flush=ctx.flush,
            reason=f"死亡 事件{ctx.event.id}",
        )
    for row in ctx.repository.open_services(person.id):
        proxy.close(ctx.session, principal=system, row=row, state="cancelled", result="本人已死亡")
    for task in ctx.repository.open_tasks_about(person.id):
        if ctx.task is None or task.id != ctx.task.id:
            tasks.cancel(ctx.session, principal=system, task_id=task.id, reason="本人已死亡")
    return None


def notify(ctx: Context) -> str:
    names = "、".join(DEPARTMENT_NAMES.get(d, d) for d in ctx.argument.split(","))
    return f"请通知仍在发放或登记的部门：{names}"


def set_permit(ctx: Context) -> str | None:
    person = ctx.repository.person(ctx.event.person_id)
    expires = parse_day(ctx.data.get("expires_on"))
    if person is None or expires is None:
        return "人口库中没有此人或到期日无效"
    changes: dict[str, Any] = {"permit_expires_on": expires}
    if person.residence_type == "registered":
        changes = {"permit_expires_on": expires, "residence_type": "floating"}
    people.update_person(
        ctx.session,
        principal=system_principal("lifecycle"),
        person_id=person.id,
        changes=PersonUpdate(**changes),
        source=ctx.event.source,
        flush=ctx.flush,
        reason=f"居住证 事件{ctx.event.id}",
    )
    return None


def mark_moved_away(ctx: Context) -> str | None:
    person = ctx.repository.person(ctx.event.person_id)
    if person is None:
        return "人口库中没有此人"
    people.update_person(
        ctx.session,
        principal=system_principal("lifecycle"),
        person_id=person.id,
        changes=PersonUpdate(living_status=LivingStatus.MOVED_AWAY),
        source=ctx.event.source,
        flush=ctx.flush,
        reason=f"迁出 事件{ctx.event.id}",
    )
    return None


ACTIONS: dict[str, Action] = {
    "create_newborn": create_newborn,
    "open_service": open_service,
    "link_id_number": link_id_number,
    "set_deceased": set_deceased,
    "notify": notify,
    "set_permit": set_permit,
    "mark_moved_away": mark_moved_away,
}


def run(ctx: Context, actions: list[str] | tuple[str, ...]) -> list[str]:
    """Run the actions in order; a problem stops the ones after it (they depend on it)."""
    problems: list[str] = []
    for action in actions:
        name, _, ctx.argument = action.partition(":")
        problem = ACTIONS[name](ctx)
        if problem:
            problems.append(problem)
            if name != "notify":
                break
    return problems


def run_guarded(
    session: Session,
    row: LifeEvent,
    names: tuple[str, ...] | list[str],
    principal: Principal,
    task: Task | None = None,
    *,
    batch: Lookups | None = None,
) -> list[str]:
    """Run actions in a savepoint: a refusal from the base (a duplicate ID, a stale version)
    becomes the reason of a finding instead of failing the department's push or the sync.
    ``batch``: the caller holds one savepoint around the batch's events, flushes their changes
    together, and handles a refusal itself."""
    context = Context(session=session, principal=principal, event=row, task=task, batch=batch)
    if batch is not None:
        return run(context, names)
    try:
        with session.begin_nested():
            return run(context, names)
    except Forbidden:
        raise
    except GridgovError as exc:
        return [exc.message[:150]]
