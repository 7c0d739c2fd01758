"""FastAPI dependencies resolving the caller. Replaced by the accounts module (issue 3)."""

from __future__ import annotations

from gridgov.authz.principal import Principal
from gridgov.kit.errors import Unauthorized


def current_principal() -> Principal:
    raise Unauthorized("请先登录", "Sign-in required")
