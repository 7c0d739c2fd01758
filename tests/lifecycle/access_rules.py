"""Access rules of the life-cycle API (see tests/authz/matrix.py)."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from gridgov.authz.policy import (
    ADMISSION_OFFICERS,
    LIFECYCLE_STAFF,
    PROXY_HANDLERS,
    SYSTEM_ADMINS,
)
from gridgov.authz.principal import DEPARTMENT_ROLES, Role, system_principal
from gridgov.models.lifecycle import LifeEvent, ProxyService
from gridgov.people import service as people
from gridgov.people.identifiers import make_resident_id
from gridgov.people.schemas import PersonCreate
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, Scoped, role_set

_numbers = itertools.count(1)
L = "/api/v1/lifecycle"


def _event(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    row = LifeEvent(
        event_type="move_in",
        source="GA",
        source_ref=f"matrix-{next(_numbers)}",
        occurred_on=date(2026, 12, 1),
        payload={},
        grid_code=grid_code,
        status="finding",
        on_complete=[],
    )
    ctx.db.add(row)
    ctx.db.commit()
    return {"event_id": str(row.id)}


def _person(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    person = people.create_person(
        ctx.db,
        principal=system_principal("test"),
        person_in=PersonCreate(
            name="赵敏",
            id_number=make_resident_id("420502", date(1980, 1, 1), next(_numbers) % 999),
            grid_code=grid_code,
        ),
    )
    ctx.db.commit()
    return {"person_id": str(person.id)}


def _service(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    person_id = int(_person(ctx, grid_code)["person_id"])
    row = ProxyService(
        service_code="id_card_renewal",
        person_id=person_id,
        grid_code=grid_code,
        department_code="GA",
        state="open",
        due_at=date(2027, 1, 1),
        documents=[],
    )
    ctx.db.add(row)
    ctx.db.commit()
    return {"service_id": str(row.id)}


def event_in(ctx: Ctx) -> dict[str, Any]:
    return _event(ctx, ctx.city.home_grid.code)


def event_out(ctx: Ctx) -> dict[str, Any]:
    return _event(ctx, ctx.city.far_grid.code)


def person_in(ctx: Ctx) -> dict[str, Any]:
    return _person(ctx, ctx.city.home_grid.code)


def person_out(ctx: Ctx) -> dict[str, Any]:
    return _person(ctx, ctx.city.far_grid.code)


def service_in(ctx: Ctx) -> dict[str, Any]:
    return _service(ctx, ctx.city.home_grid.code)


def service_out(ctx: Ctx) -> dict[str, Any]:
    return _service(ctx, ctx.city.far_grid.code)


DEPARTMENTS = role_set(*DEPARTMENT_ROLES)
STAFF = role_set(*LIFECYCLE_STAFF)
HANDLERS = role_set(*PROXY_HANDLERS)
OFFICE = role_set(*ADMISSION_OFFICERS)
NOTE = {"note": "核实完毕"}

RULES = [
    Rule(
        "POST",
        f"{L}/events",
        allowed=DEPARTMENTS,
        json={"event_type": "move_in", "source_ref": "m1", "occurred_on": "2026-12-01"},
    ),
    Rule("GET", f"{L}/events", allowed=SIGNED_IN),
    Rule(
        "GET",
        f"{L}/events/{{event_id}}",
        allowed=SIGNED_IN,
        scoped=(
            Scoped(Role.GRID_WORKER, event_in, event_out),
            Scoped(Role.COMMUNITY_STAFF, event_in, event_out),
        ),
    ),
    Rule(
        "POST",
        f"{L}/events/{{event_id}}/resolve",
        allowed=STAFF,
        json=NOTE,
        scoped=(Scoped(Role.COMMUNITY_STAFF, event_in, event_out, json=NOTE),),
    ),
    Rule("GET", f"{L}/rules", allowed=role_set(*SYSTEM_ADMINS)),
    Rule("POST", f"{L}/rules/check", allowed=role_set(*SYSTEM_ADMINS), json={"text": "x"}),
    Rule("PUT", f"{L}/rules", allowed=role_set(*SYSTEM_ADMINS), json={"text": "x = 1"}),
    Rule("GET", f"{L}/services/catalogue", allowed=SIGNED_IN),
    Rule("GET", f"{L}/services", allowed=SIGNED_IN),
    Rule("GET", f"{L}/services/counts", allowed=SIGNED_IN),
    Rule(
        "POST",
        f"{L}/services",
        allowed=HANDLERS,
        json={"code": "id_card_renewal", "person_id": 999999},
    ),
    Rule(
        "POST",
        f"{L}/services/{{service_id}}/documents",
        allowed=HANDLERS,
        json={"documents": ["户口簿"]},
        scoped=(Scoped(Role.GRID_WORKER, service_in, service_out, json={"documents": ["户口簿"]}),),
    ),
    Rule(
        "POST",
        f"{L}/services/{{service_id}}/hand-over",
        allowed=HANDLERS,
        scoped=(Scoped(Role.COMMUNITY_STAFF, service_in, service_out),),
    ),
    Rule(
        "POST",
        f"{L}/services/{{service_id}}/confirm",
        allowed=DEPARTMENTS,
        json={"done": True, "result": "已办结"},
    ),
    Rule(
        "GET",
        f"{L}/persons/{{person_id}}/timeline",
        allowed=SIGNED_IN,
        scoped=(
            Scoped(Role.GRID_WORKER, person_in, person_out),
            Scoped(Role.STREET_STAFF, person_in, person_out),
        ),
    ),
    Rule("GET", f"{L}/permits/expiring", allowed=SIGNED_IN),
    Rule("GET", f"{L}/admissions", allowed=SIGNED_IN),
    Rule(
        "POST",
        f"{L}/admissions",
        allowed=OFFICE,
        json={
            "kind": "matrix_check",
            "title": "测试",
            "reference": "准入〔2026〕99号",
            "legal_basis": "测试依据",
            "department_code": "GA",
            "frequency": "按需",
            "minutes_per_task": 10,
        },
    ),
    Rule(
        "POST",
        f"{L}/admissions/{{kind}}/withdraw",
        allowed=OFFICE,
        json=NOTE,
        path_params={"kind": "no_such_kind"},
    ),
    Rule("GET", f"{L}/admissions/workload", allowed=OFFICE),
    Rule(
        "POST",
        f"{L}/diversions",
        allowed=role_set(Role.GRID_WORKER),
        json={"day": "2026-12-01", "minutes": 60, "requested_by": "街道", "description": "迎检"},
    ),
    Rule("GET", f"{L}/diversions", allowed=SIGNED_IN),
    Rule("GET", f"{L}/data-needs/fields", allowed=SIGNED_IN),
    Rule(
        "POST",
        f"{L}/data-needs",
        allowed=DEPARTMENTS,
        json={"fields": ["name"], "purpose": "测试", "legal_basis": "测试"},
    ),
    Rule("GET", f"{L}/data-needs", allowed=SIGNED_IN),
    Rule("POST", f"{L}/data-needs/{{need_id}}/approve", allowed=OFFICE, json=NOTE),
    Rule("POST", f"{L}/data-needs/{{need_id}}/reject", allowed=OFFICE, json=NOTE),
    Rule("GET", f"{L}/data-needs/{{need_id}}/records", allowed=DEPARTMENTS),
]
