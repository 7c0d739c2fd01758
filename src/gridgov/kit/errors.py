"""Business errors: one hierarchy, one shape on the wire.

Every error carries its HTTP status, a stable ``code`` and a message in Chinese and English.
:func:`problem` turns any of them into RFC 9457 problem details (``application/problem+json``);
:mod:`gridgov.web.errors` is the one place that maps errors to responses (problem details for
the API, an HTML page for pages, Open311's own format under ``/open311``).
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from pydantic import ValidationError

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


# Pydantic's own error types in Chinese (gridgov's validators already say "中文 / English").
PYDANTIC_ZH = {
    "missing": "必填",
    "string_too_short": "内容太短",
    "string_too_long": "内容太长",
    "date_from_datetime_parsing": "日期格式错误（应为 YYYY-MM-DD）",
    "date_parsing": "日期格式错误（应为 YYYY-MM-DD）",
    "literal_error": "取值无效",
    "enum": "取值无效",
    "int_parsing": "应为整数",
    "float_parsing": "应为数字",
}


@dataclass(frozen=True)
class FieldMessage:
    """One problem a schema found: the field (None: the whole record) and what is wrong with
    it, in Chinese and English."""

    field: str | None
    message: str
    message_en: str
    code: str  # Pydantic's error type (``missing``, ``string_too_long``, ``value_error`` …)


def field_messages(error: ValidationError) -> list[FieldMessage]:
    """Every problem of a failed schema check in both languages: gridgov's validators write
    "中文 / English"; Pydantic's own types are translated (:data:`PYDANTIC_ZH`); a check across
    fields names the field at fault with a ``field`` attribute (``people.schemas.FieldProblem``)."""
    out = []
    for item in error.errors():
        loc = [str(part) for part in item.get("loc", ()) if part != "body"]
        cause = (item.get("ctx") or {}).get("error")
        field = getattr(cause, "field", None) or (loc[0] if loc else None)
        text = str(item.get("msg", "")).removeprefix("Value error, ")
        if " / " in text:
            zh, _, en = text.partition(" / ")
        else:
            zh, en = PYDANTIC_ZH.get(str(item.get("type", "")), text), text
        out.append(FieldMessage(field, zh, en, str(item.get("type", ""))))
    return out
