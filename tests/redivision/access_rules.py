"""Access rules of the re-division API (see tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.expected import REDIVISION_DECIDERS, REDIVISION_VIEWERS
from tests.authz.matrix import Rule

COMMUNITY = {"region": "420597001001"}
RULES = [
    Rule("GET", "/api/v1/redivision/drift", allowed=REDIVISION_VIEWERS, query=COMMUNITY),
    Rule("GET", "/api/v1/redivision/drift.geojson", allowed=REDIVISION_VIEWERS, query=COMMUNITY),
    Rule(
        "GET",
        "/api/v1/redivision/drift/history",
        allowed=REDIVISION_VIEWERS,
        query={"grid": "420597001001001"},
    ),
    Rule("POST", "/api/v1/redivision/proposals", allowed=REDIVISION_DECIDERS),
    Rule("GET", "/api/v1/redivision/proposals/{proposal_id}", allowed=REDIVISION_VIEWERS),
    Rule(
        "GET", "/api/v1/redivision/proposals/{proposal_id}/map.geojson", allowed=REDIVISION_VIEWERS
    ),
    *(
        Rule(
            "POST",
            f"/api/v1/redivision/proposals/{{proposal_id}}/{move}",
            allowed=REDIVISION_DECIDERS,
        )
        for move in ("moves", "approve", "reject")
    ),
]
