"""Access rules of the trail API: auditors only (see tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.expected import TRAIL_READERS
from tests.authz.matrix import Rule

RULES = [
    Rule("GET", "/api/v1/audit", allowed=TRAIL_READERS),
    Rule("GET", "/api/v1/audit/export.csv", allowed=TRAIL_READERS),
    Rule("GET", "/api/v1/audit/verify", allowed=TRAIL_READERS),
]
