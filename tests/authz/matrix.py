"""The access matrix: every API route declares who may call it and how scope is proven.

Each domain lists its rules in ``tests/<domain>/access_rules.py`` as ``RULES: list[Rule]``;
``tests/authz/test_matrix.py`` collects them all, fails for any route under ``/api/v1`` or
``/open311`` without a rule (and for rules naming no route), and for every rule checks:

* anonymous → ``anonymous_status`` (401 unless the route is public);
* every role outside ``allowed`` → ``wrong_role_status`` (403);
* every role inside ``allowed`` → neither 401 nor 403;
* each :class:`Scoped` case: a caller of ``role`` working in the home area gets
  ``inside_status`` for an object built inside the home area and ``outside_status`` (404) for one
  built outside.

Example (``tests/cases/access_rules.py``)::

    from tests.authz.matrix import SIGNED_IN, Ctx, Rule, Scoped, role_set
    from gridgov.authz.principal import Role

    def case_in(ctx: Ctx) -> dict[str, str]:
        case = make_case(ctx.db, grid_code=ctx.city.home_grid.code)   # your own helper
        return {"case_id": str(case.id)}

    def case_out(ctx: Ctx) -> dict[str, str]:
        case = make_case(ctx.db, grid_code=ctx.city.far_grid.code)
        return {"case_id": str(case.id)}

    RULES = [
        Rule("GET", "/api/v1/cases/{case_id}", allowed=role_set(exclude=ADMINS),
             scoped=(Scoped(Role.GRID_WORKER, case_in, case_out),
                     Scoped(Role.INSPECTOR, case_in, case_out))),
        Rule("POST", "/api/v1/cases", allowed=..., json={...}),
    ]

Builders receive a :class:`Ctx` (``db`` session, ``city`` with ``home_grid`` / ``far_grid`` …)
and return the path parameters; put query parameters under the key ``"?"`` (a dict).
``ctx.db.commit()`` after building data (a failing request rolls back to the last commit).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import ACCOUNT_ROLES, DEPARTMENT_ROLES, REGION_ROLE_CODE_LENGTH, Role
from gridgov.models.region import Region
from tests.authz.city import make_region

SIGNED_IN: frozenset[Role] = frozenset(ACCOUNT_ROLES)
PUBLIC: frozenset[Role] = frozenset()  # with public=True
ADMINS: frozenset[Role] = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})

Params = dict[str, Any]
Builder = Callable[["Ctx"], Params]


def role_set(*roles: Role, exclude: Iterable[Role] = ()) -> frozenset[Role]:
    """``role_set(Role.A, Role.B)`` or ``role_set(exclude=ADMINS)`` (all roles but those)."""
    chosen = frozenset(roles) if roles else SIGNED_IN
    return chosen - frozenset(exclude)


@dataclass(frozen=True)
class Scoped:
    """A caller of ``role`` working in the home area, an object inside and one outside it."""

    role: Role
    inside: Builder
    outside: Builder
    inside_status: int | tuple[int, ...] = (200, 201, 204)
    outside_status: int | tuple[int, ...] = 404
    region_code: str | None = None  # default: the home area at the role's level
    department_code: str | None = None  # default: "GA" (police) for department roles
    json: Any = None  # body for both requests (or a Builder)


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    allowed: frozenset[Role]
    public: bool = False
    path_params: Params | Builder | None = None  # for the role checks (default: "1" each)
    query: Params | None = None
    json: Any = None
    data: Params | None = None
    scoped: tuple[Scoped, ...] = ()
    anonymous_status: int | tuple[int, ...] | None = None  # default 401 (public: not 401/403)
    wrong_role_status: int | tuple[int, ...] = 403
    note: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.method.upper(), self.path)

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}"


@dataclass
class MiniCity:
    """Two districts: the home area (every scoped caller works here) and a far one."""

    home_district: Region
    home_street: Region
    home_community: Region
    home_grid: Region
    sibling_grid: Region  # same community, other grid: outside a grid worker's scope
    far_grid: Region  # other district: outside every territorial scope
    overlay: Region  # commerce overlay covering home_grid only

    def region_for(self, role: Role) -> str | None:
        if role in REGION_ROLE_CODE_LENGTH:
            return self.home_grid.code[: REGION_ROLE_CODE_LENGTH[role]]
        if role == Role.INSPECTOR:
            return self.overlay.code
        return None


def build_mini_city(db: Session) -> MiniCity:
    from gridgov.models.region import OverlayCoverage

    district = make_region(db, code="420597", level="district")
    street = make_region(db, code="420597001", level="street", parent=district)
    community = make_region(db, code="420597001001", level="community", parent=street)
    home = make_region(db, code="420597001001001", level="grid", parent=community)
    sibling = make_region(db, code="420597001001002", level="grid", parent=community)
    far_district = make_region(db, code="420598", level="district")
    far_street = make_region(db, code="420598001", level="street", parent=far_district)
    far_community = make_region(db, code="420598001001", level="community", parent=far_street)
    far = make_region(db, code="420598001001001", level="grid", parent=far_community)
    overlay = make_region(db, code="GS420597001", level="overlay", layer="commerce")
    db.add(OverlayCoverage(overlay_id=overlay.id, grid_id=home.id))
    db.commit()
    return MiniCity(district, street, community, home, sibling, far, overlay)


@dataclass
class Ctx:
    db: Session
    client: TestClient
    city: MiniCity
    _headers: dict[tuple[Role, str | None, str | None], dict[str, str]] = field(
        default_factory=dict
    )

    def headers(
        self, role: Role, *, region_code: str | None = None, department_code: str | None = None
    ) -> dict[str, str]:
        """Bearer headers of a (cached) user of ``role`` working in the home area."""
        from tests.factories import DEFAULT_DEPARTMENT, auth_headers, create_user

        region_code = region_code or self.city.region_for(role)
        if role in DEPARTMENT_ROLES:
            department_code = department_code or DEFAULT_DEPARTMENT
        key = (role, region_code, department_code)
        if key not in self._headers:
            user = create_user(
                self.db, role=role, region_code=region_code, department_code=department_code
            )
            self._headers[key] = auth_headers(self.client, user)
        return self._headers[key]


def resolve(value: Params | Builder | None, ctx: Ctx) -> Params:
    if value is None:
        return {}
    if callable(value):
        return dict(value(ctx))
    return dict(value)
