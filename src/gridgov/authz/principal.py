"""The authenticated caller and the roles of SPEC.md."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    GRID_WORKER = "grid_worker"
    COMMUNITY_STAFF = "community_staff"
    STREET_STAFF = "street_staff"
    DISTRICT_STAFF = "district_staff"
    INTAKE_CLERK = "intake_clerk"
    DISPATCHER = "dispatcher"
    SHIFT_LEADER = "shift_leader"
    DEPARTMENT_HANDLER = "department_handler"
    DEPARTMENT_ADMIN = "department_admin"
    INSPECTOR = "inspector"
    LEADER = "leader"
    SYSTEM_ADMIN = "system_admin"
    SECURITY_ADMIN = "security_admin"
    AUDITOR = "auditor"
    # 准入办 (district): admits task types for grid workers, approves departments' data needs.
    ADMISSION_OFFICE = "admission_office"
    # 数据办 (city big-data office): reconciles department data with the base (数据比对).
    DATA_OFFICE = "data_office"
    # A resident without an account (public report page, tracking page, Open311 apps, the SMS and
    # e-mail gateways): may report and follow a case by its token, reads nothing through scope.
    RESIDENT = "resident"


# The roles an account can hold (a resident has no account: see ``resident_principal``).
ACCOUNT_ROLES = tuple(role for role in Role if role is not Role.RESIDENT)


# Roles whose data scope is a subtree of the region hierarchy, and the code length of their root.
REGION_ROLE_CODE_LENGTH: dict[Role, int] = {
    Role.GRID_WORKER: 15,
    Role.COMMUNITY_STAFF: 12,
    Role.STREET_STAFF: 9,
    Role.DISTRICT_STAFF: 6,
}
# Roles that work for one department and see its cases and entitled data.
DEPARTMENT_ROLES = frozenset({Role.DEPARTMENT_HANDLER, Role.DEPARTMENT_ADMIN})
# Roles that see the whole city.
CITY_ROLES = frozenset(
    {
        Role.INTAKE_CLERK,
        Role.DISPATCHER,
        Role.SHIFT_LEADER,
        Role.LEADER,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDITOR,
        # The admission office watches every worker's load; its routes are its own role set.
        Role.ADMISSION_OFFICE,
        # The data office reconciles the whole city's base with the departments' registers.
        Role.DATA_OFFICE,
    }
)


@dataclass(frozen=True)
class Principal:
    """The caller of a request. ``grid_codes`` is filled for overlay-grid inspectors."""

    user_id: int
    username: str
    role: Role
    region_code: str | None = None
    department_code: str | None = None
    grid_codes: frozenset[str] = field(default_factory=frozenset)
    channel: str = "api"
    session_id: str | None = None
    # Jobs and the CLI act as the system: they read everything and are named in the trail, but
    # are never a signed-in user (no account, no user id in the trail).
    system: bool = False

    @property
    def account_id(self) -> int | None:
        """The signed-in account's id; None for the system and for residents without one."""
        return None if self.system or self.role is Role.RESIDENT else self.user_id

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


def system_principal(job: str) -> Principal:
    """The explicit principal of a job or CLI command (``job`` names it in the trail)."""
    return Principal(
        user_id=0, username=f"system:{job}", role=Role.SYSTEM_ADMIN, channel="job", system=True
    )


def resident_principal(channel: str) -> Principal:
    """The explicit principal of a resident's request on a channel without accounts."""
    return Principal(user_id=0, username=f"resident:{channel}", role=Role.RESIDENT, channel=channel)
