"""Access rules of the field app API (see tests/authz/matrix.py)."""

from __future__ import annotations

import uuid
from typing import Any

from gridgov.authz.principal import Role
from gridgov.models.field_submission import SyncConflict
from tests.authz.expected import FIELD_SUPERVISORS, FULL_VIEWERS
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, Scoped, role_set

FIELD_STAFF = role_set(Role.GRID_WORKER, Role.INSPECTOR)
WORKER = role_set(Role.GRID_WORKER)
ADMIN = role_set(Role.SYSTEM_ADMIN)
SUPERVISORS = role_set(*FIELD_SUPERVISORS)
TRACK_VIEWERS = role_set(*FIELD_SUPERVISORS, exclude=[Role.SYSTEM_ADMIN])
FULL_VIEWERS = role_set(*(FIELD_SUPERVISORS & FULL_VIEWERS))
RECORD_UUID = "0b7f6a7e-2f4c-4d8e-9a51-6c1d2e3f4a5b"
RECORD = {
    "uuid": RECORD_UUID,
    "module": "disputes",
    "data": {
        "dispute_type": "neighbour",
        "parties": 2,
        "risk": "low",
        "summary": "邻里噪音纠纷",
        "mediated": "no",
    },
}


def _conflict(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    conflict = SyncConflict(
        uuid=str(uuid.uuid4()),
        content_hash="0" * 64,
        kind="uuid_mismatch",
        user_id=1,
        grid_code=grid_code,
        record={},
        state="open",
    )
    ctx.db.add(conflict)
    ctx.db.commit()
    return {"conflict_id": str(conflict.id)}


def _worker(ctx: Ctx, grid_code: str) -> dict[str, Any]:
    from tests.factories import create_user

    worker = create_user(ctx.db, role=Role.GRID_WORKER, region_code=grid_code)
    return {"user_id": str(worker.id), "?": {"day": "2026-11-25"}}


def worker_in(ctx: Ctx) -> dict[str, Any]:
    return _worker(ctx, ctx.city.home_grid.code)


def worker_out(ctx: Ctx) -> dict[str, Any]:
    return _worker(ctx, ctx.city.far_grid.code)


def conflict_in(ctx: Ctx) -> dict[str, Any]:
    return _conflict(ctx, ctx.city.home_grid.code)


def conflict_out(ctx: Ctx) -> dict[str, Any]:
    return _conflict(ctx, ctx.city.far_grid.code)


RULES = [
    Rule("GET", "/api/v1/field/bundle", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/field/modules", allowed=SIGNED_IN),
    Rule(
        "GET", "/api/v1/field/modules/{code}", allowed=SIGNED_IN, path_params={"code": "population"}
    ),
    Rule(
        "GET",
        "/api/v1/field/modules/{code}/xlsx",
        allowed=SIGNED_IN,
        path_params={"code": "population"},
    ),
    Rule("POST", "/api/v1/field/modules", allowed=ADMIN, note="multipart XLSForm upload"),
    Rule(
        "POST",
        "/api/v1/field/modules/{code}/retire",
        allowed=ADMIN,
        path_params={"code": "population"},
    ),
    Rule(
        "POST",
        "/api/v1/field/modules/{code}/activate",
        allowed=ADMIN,
        path_params={"code": "population"},
    ),
    Rule("POST", "/api/v1/field/sync", allowed=FIELD_STAFF, json={"records": []}),
    Rule(
        "PUT",
        "/api/v1/field/records/{uuid}",
        allowed=FIELD_STAFF,
        path_params={"uuid": RECORD_UUID},
        json=RECORD,
    ),
    Rule("GET", "/api/v1/field/submissions", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/field/conflicts", allowed=SUPERVISORS),
    Rule(
        "POST",
        "/api/v1/field/conflicts/{conflict_id}/resolve",
        allowed=SUPERVISORS,
        json={"resolution": "discard"},
        scoped=(
            Scoped(Role.COMMUNITY_STAFF, conflict_in, conflict_out, json={"resolution": "discard"}),
        ),
    ),
    Rule(
        "POST",
        "/api/v1/field/conflicts/{conflict_id}/full-view",
        allowed=FULL_VIEWERS,
        json={"purpose": "核对新居民身份"},
        scoped=(
            Scoped(Role.COMMUNITY_STAFF, conflict_in, conflict_out, json={"purpose": "核对身份"}),
            Scoped(Role.STREET_STAFF, conflict_in, conflict_out, json={"purpose": "核对身份"}),
        ),
    ),
    Rule(
        "POST",
        "/api/v1/field/patrols",
        allowed=WORKER,
        json={"uuid": str(uuid.UUID(int=1, version=4)), "started_at": "2026-11-25T01:00:00Z"},
    ),
    Rule(
        "POST",
        "/api/v1/field/patrols/{uuid}/points",
        allowed=WORKER,
        json={"points": []},
        wrong_role_status=403,
    ),
    Rule(
        "POST",
        "/api/v1/field/patrols/{uuid}/end",
        allowed=WORKER,
        json={"ended_at": "2026-11-25T04:00:00Z"},
    ),
    Rule("GET", "/api/v1/field/patrols/today", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/field/patrols/summary", allowed=SUPERVISORS),
    Rule("GET", "/api/v1/field/patrols/workers", allowed=TRACK_VIEWERS),
    Rule(
        "GET",
        "/api/v1/field/patrols/tracks/{user_id}",
        allowed=TRACK_VIEWERS,
        scoped=(
            Scoped(Role.COMMUNITY_STAFF, worker_in, worker_out),
            Scoped(Role.STREET_STAFF, worker_in, worker_out),
            Scoped(Role.DISTRICT_STAFF, worker_in, worker_out),
        ),
    ),
    Rule(
        "POST",
        "/api/v1/field/uploads",
        allowed=FIELD_STAFF,
        json={
            "id": str(uuid.UUID(int=2, version=4)),
            "filename": "a.jpg",
            "content_type": "image/jpeg",
            "size": 10,
        },
    ),
    Rule("GET", "/api/v1/field/uploads/{upload_id}", allowed=FIELD_STAFF),
    Rule(
        "PUT",
        "/api/v1/field/uploads/{upload_id}",
        allowed=FIELD_STAFF,
        query={"offset": 0},
        json="chunk",
    ),
]
