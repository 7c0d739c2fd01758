"""Who may call what, written out as literals.

The access rules import their role sets from here, never from production code: a wrong role set
in production would otherwise confirm itself. Change a set here only when the product's rule
changes, and say why in the commit.
"""

from __future__ import annotations

from gridgov.authz.principal import Role

R = Role
TRAIL_READERS = frozenset({R.AUDITOR})
REPORTER_PHONE = frozenset(
    {R.INTAKE_CLERK, R.DISPATCHER, R.SHIFT_LEADER, R.DEPARTMENT_HANDLER, R.DEPARTMENT_ADMIN}
)
# The city's overdue set: the command centre and the leaders (administrators see no cases).
CITY_OVERSIGHT = frozenset({R.INTAKE_CLERK, R.DISPATCHER, R.SHIFT_LEADER, R.LEADER})
CASE_REPORTERS = frozenset(
    {
        R.GRID_WORKER,
        R.COMMUNITY_STAFF,
        R.STREET_STAFF,
        R.DISTRICT_STAFF,
        R.INTAKE_CLERK,
        R.DISPATCHER,
        R.SHIFT_LEADER,
        R.INSPECTOR,
    }
)
FIELD_SUPERVISORS = frozenset(
    {R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF, R.LEADER, R.SHIFT_LEADER, R.SYSTEM_ADMIN}
)
# Residents' ID numbers and phones in full (with a purpose).
FULL_VIEWERS = frozenset(
    {
        R.GRID_WORKER,
        R.COMMUNITY_STAFF,
        R.STREET_STAFF,
        R.DISTRICT_STAFF,
        R.INTAKE_CLERK,
        R.SHIFT_LEADER,
    }
)
BASE_IMPORTERS = frozenset({R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF, R.SYSTEM_ADMIN})
BASE_READERS = frozenset(
    {
        R.GRID_WORKER,
        R.COMMUNITY_STAFF,
        R.STREET_STAFF,
        R.DISTRICT_STAFF,
        R.INTAKE_CLERK,
        R.DISPATCHER,
        R.SHIFT_LEADER,
        R.INSPECTOR,
        R.LEADER,
        R.DEPARTMENT_HANDLER,
        R.DEPARTMENT_ADMIN,
    }
)
BASE_WRITERS = frozenset(
    {R.GRID_WORKER, R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF, R.INTAKE_CLERK}
)
# Who assigns tasks to grid workers (the system administrator runs the system, not the city).
TASK_CREATORS = frozenset(
    {R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF, R.SHIFT_LEADER, R.DISPATCHER}
)
# The supervision dashboard: leaders, the centre's dispatch desks, street and district staff.
DASHBOARD = frozenset({R.LEADER, R.SHIFT_LEADER, R.DISPATCHER, R.STREET_STAFF, R.DISTRICT_STAFF})
# Ledgers (台账) also for community staff, who hand them to departments.
LEDGERS = DASHBOARD | {R.COMMUNITY_STAFF}
# Scores and indicators: everybody who is scored or scores, not the administrators.
EVALUATION_READERS = frozenset(
    {
        R.GRID_WORKER,
        R.COMMUNITY_STAFF,
        R.STREET_STAFF,
        R.DISTRICT_STAFF,
        R.INTAKE_CLERK,
        R.DISPATCHER,
        R.SHIFT_LEADER,
        R.INSPECTOR,
        R.LEADER,
        R.DEPARTMENT_HANDLER,
        R.DEPARTMENT_ADMIN,
    }
)
# The supervision centre (the leader) decides appeals and edits the evaluation rules.
EVALUATION_DECIDERS = frozenset({R.LEADER})
SYSTEM_ADMINS = frozenset({R.SYSTEM_ADMIN})
REDIVISION_VIEWERS = frozenset({R.COMMUNITY_STAFF, R.STREET_STAFF, R.DISTRICT_STAFF, R.LEADER})
REDIVISION_DECIDERS = frozenset({R.DISTRICT_STAFF})
