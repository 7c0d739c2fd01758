"""Access rules of the accounts API (see tests/authz/matrix.py)."""

from __future__ import annotations

from gridgov.authz.principal import Role
from tests.authz.matrix import SIGNED_IN, Ctx, Rule, role_set

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


def some_user(ctx: Ctx) -> dict[str, str]:
    from tests.factories import create_user

    return {"user_id": str(create_user(ctx.db, role=Role.LEADER).id)}


ACCOUNT_READERS = role_set(Role.SECURITY_ADMIN, Role.AUDITOR)
ACCOUNT_ADMIN = role_set(Role.SECURITY_ADMIN)

RULES += [
    Rule("GET", "/api/v1/users", allowed=ACCOUNT_READERS),
    Rule("POST", "/api/v1/users", allowed=ACCOUNT_ADMIN, json={}),
    Rule("GET", "/api/v1/users/{user_id}", allowed=ACCOUNT_READERS, path_params=some_user),
    Rule(
        "PATCH",
        "/api/v1/users/{user_id}",
        allowed=ACCOUNT_ADMIN,
        path_params=some_user,
        json={"display_name": "x"},
    ),
    Rule(
        "POST",
        "/api/v1/users/{user_id}/reset-password",
        allowed=ACCOUNT_ADMIN,
        path_params=some_user,
    ),
]
