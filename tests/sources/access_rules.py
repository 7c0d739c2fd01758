"""Access rules of the sources API (see tests/authz/matrix.py)."""

from __future__ import annotations

from gridgov.authz.policy import SOURCE_REVIEWERS
from gridgov.authz.principal import DEPARTMENT_ROLES
from tests.authz.matrix import Rule

RULES = [
    # Departments push with their source's API key, not a sign-in: no role gets in without it.
    Rule(
        "POST",
        "/api/v1/sources/{name}/records",
        allowed=frozenset(),
        public=True,
        path_params={"name": "police_hukou"},
        json={"records": [{"RYBH": "1"}]},
        anonymous_status=401,
        wrong_role_status=401,
    ),
    Rule("GET", "/api/v1/sources/review", allowed=SOURCE_REVIEWERS),
    Rule("GET", "/api/v1/sources/links/{link_id}", allowed=SOURCE_REVIEWERS),
    Rule(
        "POST",
        "/api/v1/sources/links/{link_id}/decision",
        allowed=SOURCE_REVIEWERS,
        json={"verdict": "accept"},
    ),
    Rule("GET", "/api/v1/sources/findings", allowed=SOURCE_REVIEWERS | DEPARTMENT_ROLES),
    Rule(
        "POST",
        "/api/v1/sources/findings/{finding_id}/close",
        allowed=SOURCE_REVIEWERS | DEPARTMENT_ROLES,
        json={"reason": "已核实并更正"},
    ),
    Rule("GET", "/api/v1/sources/merges", allowed=SOURCE_REVIEWERS),
    Rule(
        "POST",
        "/api/v1/sources/merges/{merge_id}/decision",
        allowed=SOURCE_REVIEWERS,
        json={"verdict": "merge"},
    ),
]
