"""Business errors carry their HTTP status and a message in Chinese and English."""

from __future__ import annotations

from typing import Any


class GridgovError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, message_en: str | None = None, **details: Any) -> None:
        super().__init__(message_en or message)
        self.message = message
        self.message_en = message_en or message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }
        if self.details:
            body["details"] = self.details
        return body


class BadRequest(GridgovError):
    status_code = 400
    code = "bad_request"


class Unauthorized(GridgovError):
    status_code = 401
    code = "unauthorized"


class Forbidden(GridgovError):
    status_code = 403
    code = "forbidden"


class NotFound(GridgovError):
    status_code = 404
    code = "not_found"


class Conflict(GridgovError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(GridgovError):
    status_code = 413
    code = "payload_too_large"


class Locked(GridgovError):
    status_code = 423
    code = "locked"
