"""Per-request context (request id, client channel) readable from services and the trail."""

from __future__ import annotations

from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("gridgov_request_id", default=None)
channel_var: ContextVar[str] = ContextVar("gridgov_channel", default="system")
