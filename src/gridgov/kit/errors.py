"""Business errors: one hierarchy, one shape on the wire.

Every error carries its HTTP status, a stable ``code`` and a message in Chinese and English.
:func:`problem` turns any of them into RFC 9457 problem details (``application/problem+json``);
:mod:`gridgov.web.errors` is the one place that maps errors to responses (problem details for
the API, an HTML page for pages, Open311's own format under ``/open311``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

PROBLEM_JSON = "application/problem+json"


class GridgovError(Exception):
    status_code = 400
    code = "bad_request"
    # A refusal that must still be recorded (a failed sign-in's counter, a sync conflict kept
    # for review): the request's session commits what was written before the error.
    keep_writes = False

    def __init__(self, message: str, message_en: str | None = None, **details: Any) -> None:
        super().__init__(message_en or message)
        self.message = message
        self.message_en = message_en or message
        self.details = details

    def message_for(self, language: str) -> str:
        return self.message_en if language == "en" else self.message


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


class Unprocessable(GridgovError):
    status_code = 422
    code = "validation_error"


class Locked(GridgovError):
    status_code = 423
    code = "locked"


class TooManyRequests(GridgovError):
    status_code = 429
    code = "too_many_requests"


def problem(
    error: GridgovError, *, language: str = "zh-CN", instance: str | None = None
) -> dict[str, Any]:
    """RFC 9457 problem details of ``error``: ``type``/``title``/``status``/``detail`` plus the
    members every gridgov client reads (``code``, ``message``, ``message_en`` and the error's
    details, e.g. ``errors`` of a validation error)."""
    body: dict[str, Any] = {
        "type": f"urn:gridgov:problem:{error.code}",
        "title": HTTPStatus(error.status_code).phrase,
        "status": error.status_code,
        "detail": error.message_for(language),
        "code": error.code,
        "message": error.message,
        "message_en": error.message_en,
    }
    if instance:
        body["instance"] = instance
    for key, value in error.details.items():
        body.setdefault(key, value)
    return body
