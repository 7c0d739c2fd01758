"""Access rules of the case API (see tests/authz/matrix.py).

Territorial roles read the cases located in their area; department roles read the cases
dispatched to their department; city-wide roles read everything. Which moves a role may make is
the transition table (tests/cases/test_transitions.py); the move route itself is open to every
signed-in role and answers 403/409 per move.
"""

from __future__ import annotations

from gridgov.authz.principal import Role
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case
from tests.authz.expected import CASE_REPORTERS, CITY_OVERSIGHT, REPORTER_PHONE
from tests.authz.matrix import PUBLIC, SIGNED_IN, Ctx, Rule, Scoped, role_set

_n = iter(range(10**6))


def make_case(
    ctx: Ctx, *, grid_code: str, department_code: str = "HW", state: str = "dispatched"
) -> Case:
    now = utcnow()
    case = Case(
        number=f"M{next(_n):011d}",
        channel="hotline",
        category_code="E0102",
        department_code=department_code,
        state=state,
        priority="normal",
        description="矩阵测试",
        lng=111.005,
        lat=30.005,
        grid_code=grid_code,
        reported_at=now,
        dispatched_at=now,
        supervision_level=0,
        rework_count=0,
        extension_count=0,
    )
    ctx.db.add(case)
    ctx.db.commit()
    return case


def home(ctx: Ctx) -> dict[str, str]:
    return {"case_id": str(make_case(ctx, grid_code=ctx.city.home_grid.code).id)}


def far(ctx: Ctx) -> dict[str, str]:
    return {"case_id": str(make_case(ctx, grid_code=ctx.city.far_grid.code).id)}


def sibling(ctx: Ctx) -> dict[str, str]:
    return {"case_id": str(make_case(ctx, grid_code=ctx.city.sibling_grid.code).id)}


def other_department(ctx: Ctx) -> dict[str, str]:
    case = make_case(ctx, grid_code=ctx.city.home_grid.code, department_code="GA")
    return {"case_id": str(case.id)}


def handled_home(ctx: Ctx) -> dict[str, str]:
    case = make_case(ctx, grid_code=ctx.city.home_grid.code, state="handled")
    return {"case_id": str(case.id), "move": "verify"}


def handled_sibling(ctx: Ctx) -> dict[str, str]:
    case = make_case(ctx, grid_code=ctx.city.sibling_grid.code, state="handled")
    return {"case_id": str(case.id), "move": "verify"}


READ_SCOPES = (
    Scoped(Role.GRID_WORKER, home, sibling),
    Scoped(Role.COMMUNITY_STAFF, home, far),
    Scoped(Role.STREET_STAFF, home, far),
    Scoped(Role.DISTRICT_STAFF, home, far),
    Scoped(Role.INSPECTOR, home, sibling),
    Scoped(Role.DEPARTMENT_HANDLER, home, other_department, department_code="HW"),
    Scoped(Role.DEPARTMENT_ADMIN, home, other_department, department_code="HW"),
)
NEW_CASE = {
    "channel": "hotline",
    "category_code": "E0102",
    "description": "矩阵测试",
    "lng": 111.005,
    "lat": 30.005,
}
GATEWAY_MESSAGE = {"message_id": "m1", "sender": "13800000000", "text": "测试"}

RULES = [
    Rule("POST", "/api/v1/cases", allowed=CASE_REPORTERS, json=NEW_CASE),
    Rule("GET", "/api/v1/cases", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/cases/categories", allowed=SIGNED_IN),
    Rule(
        "PATCH",
        "/api/v1/cases/categories/{code}",
        allowed=role_set(Role.SYSTEM_ADMIN),
        path_params={"code": "E0102"},
        json={"warn_share": 0.7},
    ),
    Rule("GET", "/api/v1/cases/departments", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/cases/overdue", allowed=CITY_OVERSIGHT),
    Rule(
        "GET",
        "/api/v1/cases/duplicates",
        allowed=SIGNED_IN,
        query={"category": "E0102", "lng": 111.005, "lat": 30.005},
    ),
    Rule("GET", "/api/v1/cases/track/{number}", allowed=PUBLIC, public=True),
    Rule(
        "POST",
        "/api/v1/cases/inbound/sms",
        allowed=PUBLIC,
        public=True,
        json=GATEWAY_MESSAGE,
        anonymous_status=401,
        note="gateway key, not a user",
    ),
    Rule(
        "POST",
        "/api/v1/cases/inbound/email",
        allowed=PUBLIC,
        public=True,
        json=GATEWAY_MESSAGE,
        anonymous_status=401,
        note="gateway key, not a user",
    ),
    Rule(
        "GET",
        "/api/v1/cases/{case_id}",
        allowed=SIGNED_IN,
        path_params={"case_id": "999999999"},
        scoped=READ_SCOPES,
    ),
    Rule(
        "GET",
        "/api/v1/cases/{case_id}/timeline",
        allowed=SIGNED_IN,
        path_params={"case_id": "999999999"},
        scoped=READ_SCOPES,
    ),
    Rule(
        "POST",
        "/api/v1/cases/{case_id}/reporter-phone",
        allowed=REPORTER_PHONE,
        path_params={"case_id": "999999999"},
        json={"purpose": "回访报告人"},
        scoped=(
            Scoped(Role.DEPARTMENT_HANDLER, home, other_department, department_code="HW"),
            Scoped(Role.DEPARTMENT_ADMIN, home, other_department, department_code="HW"),
        ),
    ),
    Rule(
        "POST",
        "/api/v1/cases/{case_id}/{move}",
        allowed=SIGNED_IN,
        path_params={"case_id": "999999999", "move": "register"},
        json={},
        scoped=(Scoped(Role.GRID_WORKER, handled_home, handled_sibling, json={"result": "pass"}),),
    ),
]
