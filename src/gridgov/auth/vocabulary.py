"""The words of the account codes people see (roles)."""

from __future__ import annotations

from gridgov.authz.principal import Role
from gridgov.web.i18n import N_, add_vocabulary

ROLE_NAMES: dict[Role, str] = {
    Role.GRID_WORKER: N_("网格员"),
    Role.COMMUNITY_STAFF: N_("社区工作人员"),
    Role.STREET_STAFF: N_("街道工作人员"),
    Role.DISTRICT_STAFF: N_("区级工作人员"),
    Role.INTAKE_CLERK: N_("受理员"),
    Role.DISPATCHER: N_("派遣员"),
    Role.SHIFT_LEADER: N_("值班长"),
    Role.DEPARTMENT_HANDLER: N_("部门处置人员"),
    Role.DEPARTMENT_ADMIN: N_("部门管理员"),
    Role.INSPECTOR: N_("监督员"),
    Role.LEADER: N_("领导"),
    Role.SYSTEM_ADMIN: N_("系统管理员"),
    Role.SECURITY_ADMIN: N_("安全管理员"),
    Role.AUDITOR: N_("审计员"),
    Role.ADMISSION_OFFICE: N_("准入办"),
    Role.DATA_OFFICE: N_("数据办"),
    Role.RESIDENT: N_("群众"),
}
add_vocabulary("role", ROLE_NAMES)
