"""Access rules of the task API (see tests/authz/matrix.py)."""

from __future__ import annotations

from typing import Any

from gridgov.authz.principal import Role, system_principal
from gridgov.tasks import service
from tests.authz.expected import TASK_CREATORS
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, Scoped, role_set

CREATORS = role_set(*TASK_CREATORS)
WORKER = role_set(Role.GRID_WORKER)


def _task(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    task = service.create(
        ctx.db,
        principal=system_principal("test"),
        kind="home_visit",
        title="走访",
        grid_code=grid_code,
    )
    ctx.db.commit()
    return {"task_id": str(task.id)}


def task_in(ctx: Ctx) -> dict[str, Any]:
    return _task(ctx, ctx.city.home_grid.code)


def task_out(ctx: Ctx) -> dict[str, Any]:
    return _task(ctx, ctx.city.sibling_grid.code)


def task_far(ctx: Ctx) -> dict[str, Any]:
    return _task(ctx, ctx.city.far_grid.code)


RULES = [
    Rule("GET", "/api/v1/tasks", allowed=SIGNED_IN),
    Rule(
        "POST",
        "/api/v1/tasks",
        allowed=CREATORS,
        json={"kind": "home_visit", "title": "走访", "grid_code": "420597001001001"},
    ),
    Rule(
        "GET",
        "/api/v1/tasks/{task_id}",
        allowed=SIGNED_IN,
        scoped=(
            Scoped(Role.GRID_WORKER, task_in, task_out),
            Scoped(Role.COMMUNITY_STAFF, task_in, task_far),
        ),
    ),
    Rule(
        "POST",
        "/api/v1/tasks/{task_id}/accept",
        allowed=WORKER,
        scoped=(Scoped(Role.GRID_WORKER, task_in, task_out),),
    ),
    Rule(
        "POST",
        "/api/v1/tasks/{task_id}/complete",
        allowed=WORKER,
        json={"result": {}},
        scoped=(Scoped(Role.GRID_WORKER, task_in, task_out, json={"result": {"note": "ok"}}),),
    ),
    Rule(
        "POST",
        "/api/v1/tasks/{task_id}/refuse",
        allowed=WORKER,
        json={"reason": "not_my_grid"},
        scoped=(Scoped(Role.GRID_WORKER, task_in, task_out, json={"note": "不在本网格"}),),
    ),
    Rule(
        "POST",
        "/api/v1/tasks/{task_id}/cancel",
        allowed=CREATORS,
        json={"reason": "重复"},
        scoped=(Scoped(Role.COMMUNITY_STAFF, task_in, task_far, json={"reason": "重复"}),),
    ),
]
