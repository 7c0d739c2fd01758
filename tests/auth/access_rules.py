"""Access rules of the accounts API (see tests/authz/matrix.py)."""

from __future__ import annotations

from tests.authz.matrix import SIGNED_IN, Rule

RULES = [
    Rule(
        "POST", "/api/v1/auth/token", allowed=SIGNED_IN, public=True, json={}, anonymous_status=422
    ),
    Rule(
        "POST",
        "/api/v1/auth/refresh",
        allowed=SIGNED_IN,
        public=True,
        json={"refresh_token": "forged"},
        anonymous_status=401,
    ),
    Rule("POST", "/api/v1/auth/logout", allowed=SIGNED_IN),
    Rule("GET", "/api/v1/auth/me", allowed=SIGNED_IN),
    Rule(
        "POST",
        "/api/v1/auth/password",
        allowed=SIGNED_IN,
        json={"current_password": "wrong", "new_password": "Another-Passw0rd"},
    ),
]
