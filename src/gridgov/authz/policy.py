"""The one place that says who may do what and read which rows.

Routes never test roles themselves: they depend on ``require_roles(...)`` (gridgov.auth.deps)
with a role set from here. Every repository query — lists and single rows alike — starts from
:func:`readable_statement` (or adds :func:`scope_clause` to its own select) for the principal and
the action, so a row outside the caller's reach is simply not found; :func:`covers` answers the
same question for a grid a new row would go into. Jobs and the CLI act as
``system_principal(...)``, never as "no principal". Personal data are shown masked;
:func:`reveal` gives a full value to the roles allowed to see it, with a stated purpose, written
to the trail.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import StringConstraints
from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from gridgov.audit import trail
from gridgov.authz.principal import (
    ACCOUNT_ROLES,
    CITY_ROLES,
    DEPARTMENT_ROLES,
    REGION_ROLE_CODE_LENGTH,
    Principal,
    Role,
)
from gridgov.authz.scope import region_scope
from gridgov.kit.errors import BadRequest, Forbidden

ALL_ROLES = frozenset(ACCOUNT_ROLES)
# Who reads the trail (separate audit administration, GB/T 22239).
TRAIL_READERS = frozenset({Role.AUDITOR})
# Who manages accounts (security administration).
ACCOUNT_ADMINS = frozenset({Role.SECURITY_ADMIN})
# Who sees every account: who manages them and who audits them (everybody else: the own one).
ACCOUNT_READERS = ACCOUNT_ADMINS | TRAIL_READERS
# Who configures grids, categories, modules, calendars (system administration).
SYSTEM_ADMINS = frozenset({Role.SYSTEM_ADMIN})
# Who admits task types and data needs (准入, capability 9); the rules file is system admin.
ADMISSION_OFFICERS = frozenset({Role.ADMISSION_OFFICE})
# Life-cycle services (capability 5): staff handle findings; workers and staff carry proxy
# services (代办); departments push events and confirm the services they handle.
LIFECYCLE_STAFF = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})
PROXY_HANDLERS = LIFECYCLE_STAFF | {Role.GRID_WORKER}
# Roles that work with the population base of their scope.
REGION_ROLES = frozenset(REGION_ROLE_CODE_LENGTH)
# Department sources (数据比对): who registers sources and loads files, who reviews pairs and
# findings (community/street/district staff within their area, the data office city-wide).
SOURCE_ADMINS = frozenset({Role.DATA_OFFICE, Role.SYSTEM_ADMIN})
SOURCE_REVIEWERS = frozenset(
    {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.DATA_OFFICE}
)
COMMAND_CENTRE = frozenset({Role.INTAKE_CLERK, Role.DISPATCHER, Role.SHIFT_LEADER})
# Who watches the whole city's deadlines (the overdue set): the centre and the leaders.
CITY_OVERSIGHT = COMMAND_CENTRE | {Role.LEADER}
# Objective evaluation: who reads scores (each within the own scope) and who decides appeals
# and edits the rules (the supervision centre, 监督中心).
EVALUATION_DECIDERS = frozenset({Role.LEADER})
EVALUATION_READERS = (
    EVALUATION_DECIDERS | COMMAND_CENTRE | REGION_ROLES | DEPARTMENT_ROLES | {Role.INSPECTOR}
)
# The administrators see no personal data and no cases: they run the system, not the city.
ADMINISTRATORS = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# Who opens the supervision dashboard (capability 8): leaders, the centre, district and street
# staff over their own territory.
DASHBOARD_ROLES = frozenset(
    {Role.LEADER, Role.SHIFT_LEADER, Role.DISPATCHER, Role.DISTRICT_STAFF, Role.STREET_STAFF}
)
# Who downloads ledgers (台账): the dashboard's readers and community staff, within their scope.
LEDGER_ROLES = DASHBOARD_ROLES | {Role.COMMUNITY_STAFF}

# Data categories each department (by its code, gridgov.cases.reference.DEPARTMENTS) may read
# from the shared base (capability 9: declared, not re-collected).
DEPARTMENT_CATEGORIES: dict[str, frozenset[str]] = {
    "GA": frozenset({"person", "household", "house", "organisation"}),  # police
    "SCJG": frozenset({"organisation", "facility"}),  # market regulation (commerce)
    "RS": frozenset({"person", "household"}),  # social security
    "WJ": frozenset({"person", "household"}),  # health (incl. family planning)
    "ZJ": frozenset({"house", "household"}),  # housing
    "MZ": frozenset({"person", "household"}),  # civil affairs
    "CG": frozenset({"facility"}),  # urban management
}
Action = Literal["read", "change"]
Column = InstrumentedAttribute[Any] | ColumnElement[Any]

SensitiveField = Literal["id_number", "phone"]
# Who may see a resident's ID number and phone in full. Not leaders, dispatchers, inspectors,
# departments (they work through entitlements), administrators or auditors.
PERSON_FULL_VIEW_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.INTAKE_CLERK,
        Role.SHIFT_LEADER,
    }
)
# Who may call a case's reporter back: the centre and the department handling the case.
REPORTER_PHONE_ROLES = frozenset(
    {
        Role.INTAKE_CLERK,
        Role.DISPATCHER,
        Role.SHIFT_LEADER,
        Role.DEPARTMENT_HANDLER,
        Role.DEPARTMENT_ADMIN,
    }
)
# A full view states why; two characters already say it in Chinese (回访, 核查). Counted after
# stripping: "  x " is one character, not four.
MIN_PURPOSE_LENGTH = 2
Purpose = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=MIN_PURPOSE_LENGTH, max_length=200)
]


def department_may_read(principal: Principal, category: str) -> bool:
    if principal.role not in DEPARTMENT_ROLES or not principal.department_code:
        return False
    return category in DEPARTMENT_CATEGORIES.get(principal.department_code, frozenset())


def scope_clause(
    principal: Principal,
    action: Action = "read",
    *,
    grid_code: Column | None = None,
    department_code: Column | None = None,
    category: str | None = None,
) -> ColumnElement[bool]:
    """The WHERE clause of every readable statement.

    * ``grid_code``: the row's grid (or any region) code — territory roles reach their subtree,
      inspectors their covered grids, the centre and leaders the city;
    * ``department_code``: the row's responsible department — departments reach their own rows;
    * ``category``: the data category of the table — a department entitled to it reads it all
      (never changes it: the base is kept by the territory).
    Administrators (system/security/audit) reach nothing through this clause; the system
    principal of jobs and the CLI (:func:`gridgov.authz.principal.system_principal`) reaches all.
    """
    if principal.system:
        return true()
    role = principal.role
    if role in ADMINISTRATORS or role == Role.RESIDENT:
        return false()
    if role in DEPARTMENT_ROLES:
        if action == "read" and category is not None and department_may_read(principal, category):
            return true()
        if department_code is not None and principal.department_code:
            return department_code == principal.department_code
        return false()
    if role in CITY_ROLES:
        return true()
    if grid_code is None:
        return false()
    return region_scope(principal).clause(grid_code)


def readable_statement(
    principal: Principal, model: Any, action: Action = "read", *, category: str | None = None
) -> Select[Any]:
    """``SELECT model`` restricted to the rows the principal may ``action`` (the model's
    ``grid_code`` and, if it has one, ``department_code`` columns decide)."""
    return select(model).where(
        scope_clause(
            principal,
            action,
            grid_code=getattr(model, "grid_code", None),
            department_code=getattr(model, "department_code", None),
            category=category,
        )
    )


def first_row(session: Session, statement: Select[Any], *, for_update: bool = False) -> Any:
    """The one row of a readable statement narrowed to it (``None``: not there, or not yours)."""
    if for_update:
        statement = statement.with_for_update()
    return session.scalars(statement).first()


def covers(principal: Principal, grid_code: str | None, action: Action = "change") -> bool:
    """Whether a row in ``grid_code`` would be within the principal's reach (for new rows and
    targets named by the caller; existing rows are found through the readable statement)."""
    if principal.system:
        return True
    if principal.role in ADMINISTRATORS or principal.role in DEPARTMENT_ROLES:
        return False
    return region_scope(principal).contains(grid_code)


def city_wide(principal: Principal) -> bool:
    """Whether the principal's reach is the whole city (the centre, leaders, the system)."""
    return principal.system or (
        principal.role not in ADMINISTRATORS and region_scope(principal).everything
    )


def reach_key(principal: Principal) -> tuple[Any, ...]:
    """A hashable name of the principal's reach: two principals with one key read the same rows
    (for caches of scoped results)."""
    scope = region_scope(principal)
    department = principal.department_code if principal.role in DEPARTMENT_ROLES else None
    return (
        principal.system,
        principal.role in ADMINISTRATORS,
        department,
        scope.everything,
        scope.prefix,
        scope.grid_codes,
    )


def ensure_covers(principal: Principal, grid_code: str, action: Action = "change") -> None:
    if not covers(principal, grid_code, action):
        raise Forbidden(
            f"网格 {grid_code} 不在您的管辖范围内", f"Grid {grid_code} is outside your area"
        )


def reveal(
    session: Session,
    *,
    principal: Principal,
    roles: frozenset[Role],
    field: SensitiveField,
    value: str | None,
    object_type: str,
    object_id: str | int,
    purpose: str | None,
) -> str | None:
    """The full value for a stated purpose; who saw whose record, when and why goes to the trail.

    The caller has already loaded the object through its readable statement (scope).
    """
    if principal.role not in roles:
        raise Forbidden("无权查看完整信息", f"Your role may not see the full {field}")
    if purpose is None or len(purpose.strip()) < MIN_PURPOSE_LENGTH:
        raise BadRequest(
            "查看完整信息须说明目的", "State the purpose of viewing the full value", field=field
        )
    trail.record(
        session,
        action="personal_data.view_full",
        object_type=object_type,
        object_id=object_id,
        principal=principal,
        purpose=purpose.strip()[:200],
        note=field,
    )
    return value


def require(principal: Principal, roles: frozenset[Role]) -> None:
    """For services called outside a route (the route uses ``require_roles``)."""
    if principal.role not in roles:
        raise Forbidden("无权执行此操作", "Your role may not do this")


# Grid re-division: territory staff and leaders see drift and proposals; district staff compute,
# edit, approve and reject them.
REDIVISION_VIEWERS = frozenset(
    {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.LEADER}
)
REDIVISION_DECIDERS = frozenset({Role.DISTRICT_STAFF})
