"""Access rules of the evaluation API (see tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.expected import EVALUATION_DECIDERS, EVALUATION_READERS
from tests.authz.matrix import Rule

RULES = [
    Rule("GET", "/api/v1/evaluation/scores", allowed=EVALUATION_READERS),
    Rule(
        "GET",
        "/api/v1/evaluation/points",
        allowed=EVALUATION_READERS,
        query={"subject_type": "department", "subject_id": "GA"},
    ),
    Rule("POST", "/api/v1/evaluation/appeals", allowed=EVALUATION_READERS),
    Rule("POST", "/api/v1/evaluation/appeals/{appeal_id}/decision", allowed=EVALUATION_DECIDERS),
    Rule("GET", "/api/v1/evaluation/rules", allowed=EVALUATION_READERS),
    Rule("PUT", "/api/v1/evaluation/rules", allowed=EVALUATION_DECIDERS),
    Rule(
        "GET",
        "/api/v1/evaluation/indicators",
        allowed=EVALUATION_READERS,
        query={"level": "department"},
    ),
    Rule("GET", "/api/v1/evaluation/indicators/workers", allowed=EVALUATION_READERS),
]
