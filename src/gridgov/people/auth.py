"""Who may read, write, import and fully view the population base."""

from __future__ import annotations

from gridgov.authz.policy import PERSON_FULL_VIEW_ROLES
from gridgov.authz.principal import Principal, Role
from gridgov.kit.errors import Forbidden

# Masked reads, inside the caller's data scope. System, security admins and auditors have no
# business with residents' records (auditors read the trail instead).
READ_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.INTAKE_CLERK,
        Role.DISPATCHER,
        Role.SHIFT_LEADER,
        Role.INSPECTOR,
        Role.LEADER,
        Role.DEPARTMENT_HANDLER,
        Role.DEPARTMENT_ADMIN,
    }
)
# Create and change records (inside the scope).
WRITE_ROLES = frozenset(
    {
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.INTAKE_CLERK,
    }
)
# Unmasked ID number and phone, with a stated purpose written to the trail.
FULL_VIEW_ROLES = PERSON_FULL_VIEW_ROLES
# Bulk import and export (rows outside the caller's scope are rejected).
IMPORT_ROLES = frozenset(
    {Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF, Role.SYSTEM_ADMIN}
)
EXPORT_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_STAFF, Role.DISTRICT_STAFF})


def ensure_role(principal: Principal, roles: frozenset[Role]) -> None:
    if principal.role not in roles:
        raise Forbidden("您的角色无权进行此操作", "Your role may not do this")
