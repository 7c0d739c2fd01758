"""The data-needs catalogue: departments declare the fields they need (purpose, legal basis), the
admission office approves, and approved fields are read from the shared base through the API —
masked as on every screen, every read in the trail — instead of sending new forms.

The same catalogue of fields the base holds tells the admission page when a new module or task
type would collect something already held ("already held: 人口库, updated daily from 公安").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal
from gridgov.fieldwork.forms.registry import definition_of
from gridgov.fieldwork.forms.xlsform import questions
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.models.field_module import FieldModule
from gridgov.models.lifecycle_admission import DataNeed
from gridgov.models.person import LivingStatus, Person

# field → (column served — masks for the sensitive ones, label, the base that holds it, how
# it is kept current).
POPULATION = "人口库"
HELD: dict[str, tuple[Any, str, str, str]] = {
    "name": (Person.name, "姓名", POPULATION, "公安户籍数据每日更新"),
    "sex": (Person.sex, "性别", POPULATION, "公安户籍数据每日更新"),
    "birth_date": (Person.birth_date, "出生日期", POPULATION, "公安户籍数据每日更新"),
    "id_number": (Person.id_number_masked, "身份证号（脱敏）", POPULATION, "公安户籍数据每日更新"),
    "phone": (Person.phone_masked, "联系电话（脱敏）", POPULATION, "网格员采集，随时更新"),
    "residence_type": (Person.residence_type, "户籍/流动", POPULATION, "公安户籍数据每日更新"),
    "living_status": (Person.living_status, "生存状态", POPULATION, "卫健、公安、民政事件实时更新"),
    "current_address": (Person.current_address, "现住址", POPULATION, "网格员采集，随时更新"),
    "moved_in_on": (Person.moved_in_on, "迁入日期", POPULATION, "公安迁入记录实时更新"),
    "permit_expires_on": (
        Person.permit_expires_on,
        "居住证到期日",
        POPULATION,
        "公安居住证记录实时更新",
    ),
    "grid_code": (Person.grid_code, "所属网格", POPULATION, "地址解析，随时更新"),
}
# Names a module field may have for something the base holds.
ALIASES = {
    "residence": "residence_type",
    "move_in_date": "moved_in_on",
    "address": "current_address",
}
MAX_ROWS = 500


class DataNeedNotFound(NotFound):
    code = "data_need_not_found"


def held(fields: list[str]) -> list[dict[str, str]]:
    """The fields of ``fields`` the base already holds, with where and how it keeps them."""
    out = []
    for name in fields:
        key = ALIASES.get(name, name)
        if key in HELD:
            _, label, holder, source = HELD[key]
            out.append({"field": name, "label": label, "holder": holder, "source": source})
    return out


def modules_collecting_held(session: Session) -> list[dict[str, Any]]:
    """For each newest module version: the fields it collects that the base already holds."""
    newest: dict[str, FieldModule] = {}
    for module in session.scalars(select(FieldModule).order_by(FieldModule.version)):
        newest[module.code] = module
    out = []
    for module in newest.values():
        names = [
            str(q.node.get("gridgov_field") or q.name)
            for q in questions(definition_of(module))
            if q.type not in ("note", "calculate")
        ]
        found = held(names)
        if found:
            out.append({"code": module.code, "title": module.title, "held": found})
    return out


def _readable(principal: Principal) -> Any:
    return select(DataNeed).where(scope_clause(principal, department_code=DataNeed.department_code))


def declare(
    session: Session, *, principal: Principal, fields: list[str], purpose: str, legal_basis: str
) -> DataNeed:
    if principal.role not in DEPARTMENT_ROLES or not principal.department_code:
        raise Forbidden("只有部门可以申报数据需求", "Only departments declare data needs")
    unknown = sorted(set(fields) - set(HELD))
    if unknown:
        raise BadRequest(
            f"共享库中没有字段：{'、'.join(unknown)}",
            f"The shared base has no field {', '.join(unknown)}",
            field="fields",
        )
    need = DataNeed(
        department_code=principal.department_code,
        fields=sorted(set(fields)),
        purpose=purpose,
        legal_basis=legal_basis,
        state="declared",
        declared_by=principal.user_id,
    )
    session.add(need)
    session.flush()
    trail.record(
        session,
        action="data_need.declare",
        object_type="data_need",
        object_id=need.id,
        principal=principal,
        after={"fields": need.fields, "purpose": purpose},
    )
    return need


def list_needs(session: Session, *, principal: Principal) -> list[DataNeed]:
    return list(session.scalars(_readable(principal).order_by(DataNeed.id.desc()).limit(500)))


def get_need(session: Session, *, principal: Principal, need_id: int) -> DataNeed:
    need = session.scalars(_readable(principal).where(DataNeed.id == need_id)).first()
    if need is None:
        raise DataNeedNotFound("数据需求不存在或无权查看", "Data need not found or not yours")
    return need


def decide(
    session: Session, *, principal: Principal, need_id: int, approve: bool, note: str | None
) -> DataNeed:
    need = get_need(session, principal=principal, need_id=need_id)
    if need.state != "declared":
        raise Conflict("该需求已处理", "This need was decided already")
    need.state = "approved" if approve else "rejected"
    need.decided_by = principal.user_id
    need.decided_at = utcnow()
    need.note = note
    trail.record(
        session,
        action=f"data_need.{need.state}",
        object_type="data_need",
        object_id=need.id,
        principal=principal,
        before={"state": "declared"},
        after={"state": need.state},
        note=note,
    )
    return need


def serve(
    session: Session,
    *,
    principal: Principal,
    need_id: int,
    grid_prefix: str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Rows of the approved fields only, masked; the read is in the trail with its purpose."""
    need = get_need(session, principal=principal, need_id=need_id)
    if principal.department_code != need.department_code:
        raise Forbidden("只有申报部门可以读取", "Only the declaring department reads this")
    if need.state != "approved":
        raise Forbidden("该数据需求尚未批准", "This data need is not approved")
    columns = [HELD[name][0].label(name) for name in need.fields]
    statement = select(Person.id.label("person_id"), *columns).where(
        Person.living_status == LivingStatus.ALIVE
    )
    if grid_prefix:
        statement = statement.where(
            Person.grid_code >= grid_prefix, Person.grid_code < grid_prefix + ":"
        )
    limit = max(1, min(limit, MAX_ROWS))
    rows = session.execute(statement.order_by(Person.id).offset(max(0, offset)).limit(limit))
    out = [{k: (str(v) if v is not None else None) for k, v in r._mapping.items()} for r in rows]
    trail.record(
        session,
        action="data_need.read",
        object_type="data_need",
        object_id=need.id,
        principal=principal,
        purpose=need.purpose[:200],
        after={"rows": len(out), "fields": need.fields, "offset": offset, "grid": grid_prefix},
    )
    return out
