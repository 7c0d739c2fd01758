"""Access rules of the dashboard and ledger API (see tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.expected import DASHBOARD, LEDGERS
from tests.authz.matrix import Rule

RULES = [
    *(
        Rule("GET", f"/api/v1/dashboard/{path}", allowed=DASHBOARD)
        for path in ("overview", "scores", "regions", "facility-kinds", "case-heat")
    ),
    Rule("GET", "/api/v1/dashboard/facilities", allowed=DASHBOARD, query={"kind": "camera"}),
    Rule(
        "GET",
        "/api/v1/dashboard/grids/{code}",
        allowed=DASHBOARD,
        path_params={"code": "420597001001001"},
    ),
    Rule("GET", "/api/v1/ledgers", allowed=LEDGERS),
    Rule("GET", "/api/v1/ledgers/{kind}.xlsx", allowed=LEDGERS, path_params={"kind": "population"}),
    Rule("GET", "/api/v1/ledgers/files/{file_id}", allowed=LEDGERS),
]
