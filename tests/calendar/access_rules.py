"""Access rules of the calendar API: everybody signed in reads; administrators import."""

from __future__ import annotations

from gridgov.authz.principal import Role
from tests.authz.matrix import SIGNED_IN, Rule, role_set

RULES = [
    Rule("GET", "/api/v1/calendar/years", allowed=SIGNED_IN),
    Rule(
        "GET",
        "/api/v1/calendar/deadline",
        allowed=SIGNED_IN,
        query={"start": "2026-11-25T09:00:00+08:00", "minutes": 60},
    ),
    Rule("GET", "/api/v1/calendar/{year}", allowed=SIGNED_IN, path_params={"year": "2027"}),
    Rule(
        "PUT",
        "/api/v1/calendar/{year}",
        allowed=role_set(Role.SYSTEM_ADMIN),
        path_params={"year": "2027"},
        json={"days": []},
    ),
]
