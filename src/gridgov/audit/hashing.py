"""The content hash of a trail entry: which fields it covers, their canonical form and the keys.

Both the writer (:mod:`gridgov.audit.trail`) and the sealer (:mod:`gridgov.audit.chain`) hash
entries; the shared part lives here so that neither has to import the other for it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from gridgov.config import get_settings
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


@lru_cache(maxsize=4)
def _key_for(secret_key: str) -> bytes:
    root = hashlib.sha256(secret_key.encode()).digest()
    return hmac.new(root, b"gridgov/audit/v1", hashlib.sha256).digest()


def trail_key() -> bytes:
    return _key_for(get_settings().secret_key)


def trail_keys() -> list[bytes]:
    """The chain's keys, oldest first: one per signing secret of the ring (the current last).
    Entries hashed and linked under a retired secret keep verifying after a rotation."""
    return [_key_for(secret) for secret in get_settings().secret_key_ring]


def _utc_naive(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def content_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content of an entry given as a mapping (ORM entity via vars, or a DB row)."""
    content = {name: values[name] for name in HASHED_FIELDS}
    content["at"] = _utc_naive(content["at"]).isoformat(timespec="microseconds")
    return content


def entry_content(entry: AuditEntry) -> dict[str, Any]:
    return content_of({name: getattr(entry, name) for name in HASHED_FIELDS})


def hash_content(content: Mapping[str, Any], *, key: bytes | None = None) -> str:
    return hmac.new(key or trail_key(), canonical(content).encode(), hashlib.sha256).hexdigest()


def content_hash(entry: AuditEntry) -> str:
    return hash_content(entry_content(entry))
