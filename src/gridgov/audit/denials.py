"""Denied access (403) goes into the trail even though the request itself rolls back.

Registered with the request's session (:func:`gridgov.kit.db.on_refusal`): after a refused
request rolled back, the entry is written into the same session and committed alone.
"""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.kit.db import on_refusal
from gridgov.kit.errors import Forbidden


def record_denial(session: Session, request: Request, error: BaseException) -> bool:
    if not isinstance(error, Forbidden):
        return False
    principal: Principal | None = getattr(request.state, "principal", None)
    trail.record(
        session,
        action="access.denied",
        object_type="route",
        object_id=f"{request.method} {request.url.path}"[:64],
        principal=principal,
        outcome="denied",
        note=f"{error.code}: {error.message_en}"[:500],
    )
    return True


on_refusal(record_denial)
