"""Writing to the trail. Services call :func:`record` inside the request's transaction, so an
entry exists exactly when the change it describes was committed."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import guards as _guards  # noqa: F401  (installs the immutability guards)
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.context import channel_var, request_id_var
from gridgov.models.audit import AuditEntry

HASHED_FIELDS = (
    "at",
    "user_id",
    "username",
    "role",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "channel",
    "request_id",
    "purpose",
    "before",
    "after",
    "note",
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    content = {name: getattr(entry, name) for name in HASHED_FIELDS}
    at: datetime = content["at"]
    content["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return content


def content_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry_content(entry)).encode()).hexdigest()


def record(
    session: Session,
    *,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    principal: Principal | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    outcome: str = "success",
    purpose: str | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Add one trail entry to the session (the caller's transaction commits it)."""
    entry = AuditEntry(
        at=utcnow(),
        user_id=principal.user_id if principal else None,
        username=principal.username if principal else None,
        role=str(principal.role) if principal else None,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        outcome=outcome,
        channel=principal.channel if principal else channel_var.get(),
        request_id=request_id_var.get(),
        purpose=purpose,
        before=json.loads(canonical(before)) if before is not None else None,
        after=json.loads(canonical(after)) if after is not None else None,
        note=note,
    )
    entry.entry_hash = content_hash(entry)
    session.add(entry)
    return entry
