"""Access rules of the scheduled jobs API: the system administrator's (tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.expected import SYSTEM_ADMINS
from tests.authz.matrix import Rule

RULES = [
    Rule("GET", "/api/v1/jobs", allowed=SYSTEM_ADMINS),
    Rule("GET", "/api/v1/jobs/runs", allowed=SYSTEM_ADMINS),
]
