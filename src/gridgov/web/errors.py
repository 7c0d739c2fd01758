"""The one place where errors become responses.

* ``/api/…`` and ``/openapi.json``: RFC 9457 problem details (``application/problem+json``) for
  every error — business errors, request validation, unknown routes and methods alike;
* prefixes with a protocol of their own (Open311 under ``/open311``) register a renderer here;
* everything else is a page: an HTML error page in the user's language (an htmx request gets the
  message alone, to be swapped into the page).

A refused request's writes are rolled back by the request's session (:mod:`gridgov.kit.db`),
which also records denials (403) in the trail; nothing here touches the database.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gridgov.kit.errors import (
    PROBLEM_JSON,
    BadRequest,
    Conflict,
    GridgovError,
    NotFound,
    Unprocessable,
    problem,
)
from gridgov.web.i18n import N_, gettext, request_language
from gridgov.web.render import render

ProtocolRenderer = Callable[[Request, GridgovError], Response]
_PROTOCOLS: dict[str, ProtocolRenderer] = {}
API_PREFIXES = ("/api/", "/openapi.json")


# The heading of an error page, by status.
HEADINGS = {
    400: N_("请求有误"),
    401: N_("请先登录"),
    403: N_("无权访问"),
    404: N_("未找到"),
    405: N_("不支持的操作"),
    409: N_("冲突"),
    413: N_("内容过大"),
    422: N_("输入有误"),
    423: N_("已锁定"),
    429: N_("请求过于频繁"),
}


def register_protocol(prefix: str, renderer: ProtocolRenderer) -> None:
    """Errors under ``prefix`` are answered in a protocol's own documented format."""
    _PROTOCOLS[prefix] = renderer


def error_response(request: Request, error: GridgovError) -> Response:
    """The response for ``error`` on this request (API, protocol or page)."""
    path = request.url.path
    for prefix, renderer in _PROTOCOLS.items():
        if path.startswith(prefix):
            return renderer(request, error)
    language = request_language(request)
    if path.startswith(API_PREFIXES):
        return JSONResponse(
            problem(error, language=language, instance=path),
            status_code=error.status_code,
            media_type=PROBLEM_JSON,
            headers=_headers(error),
        )
    return _page(request, error, language)


def _headers(error: GridgovError) -> dict[str, str] | None:
    retry_after = error.details.get("retry_after")
    return {"Retry-After": str(retry_after)} if retry_after is not None else None


def _page(request: Request, error: GridgovError, language: str) -> Response:
    message = error.message_for(language)
    if request.headers.get("HX-Request"):
        return HTMLResponse(
            f'<p class="error" role="alert">{_escape(message)}</p>', status_code=error.status_code
        )
    heading = gettext(language, HEADINGS.get(error.status_code, N_("出错了")))
    principal = getattr(request.state, "principal", None)
    referer = request.headers.get("referer") or ""
    back = referer if referer.startswith(str(request.base_url)) else None
    return render(
        request,
        "error.html",
        status_code=error.status_code,
        principal=principal,
        page_title=heading,
        status=error.status_code,
        heading=heading,
        message=message,
        back=back,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _validation_error(exc: RequestValidationError) -> Unprocessable:
    # The input itself is never echoed back: it may hold an ID number or a phone.
    errors: list[dict[str, Any]] = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    return Unprocessable(
        gettext("zh-CN", "提交的内容有误"), gettext("en", "提交的内容有误"), errors=errors
    )


class _HttpError(GridgovError):
    """A routing-level error of the framework (unknown path, method not allowed…)."""

    def __init__(self, status: int) -> None:
        self.status_code = status
        self.code = {404: "not_found", 405: "method_not_allowed"}.get(
            status, HTTPStatus(status).phrase.lower().replace(" ", "_")
        )
        if status == 404:
            zh, en = gettext("zh-CN", "页面或记录不存在"), gettext("en", "页面或记录不存在")
        elif status == 405:
            zh, en = gettext("zh-CN", "此地址不支持该操作"), gettext("en", "此地址不支持该操作")
        else:
            zh, en = gettext("zh-CN", "出错了"), HTTPStatus(status).phrase
        super().__init__(zh, en)


def install(app: FastAPI) -> None:
    """Register the handlers (called once from ``gridgov.app``)."""

    async def business(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GridgovError)
        return error_response(request, exc)

    async def validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return error_response(request, _validation_error(exc))

    async def http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code < 400:  # redirects raised by page dependencies (sign-in)
            return Response(status_code=exc.status_code, headers=exc.headers)
        error: GridgovError = (
            NotFound(gettext("zh-CN", "页面或记录不存在"), gettext("en", "页面或记录不存在"))
            if exc.status_code == 404
            else _HttpError(exc.status_code)
        )
        response = error_response(request, error)
        for name, value in (exc.headers or {}).items():
            response.headers.setdefault(name, value)
        return response

    async def integrity(request: Request, exc: Exception) -> Response:
        # Two requests raced for the same unique thing (a first sync installing the modules, a
        # retried intake): the loser is told to try again, nothing half-written stays.
        return error_response(
            request,
            Conflict(
                "与同时进行的修改冲突，请重试",
                "Conflicts with a change made at the same time; retry",
            ),
        )

    async def out_of_range(request: Request, exc: Exception) -> Response:
        # A number the database cannot hold (an id past 2**63 in a path or a query): no such row.
        return error_response(
            request, BadRequest("数值超出范围", "A number is out of range for this field")
        )

    app.add_exception_handler(GridgovError, business)
    app.add_exception_handler(IntegrityError, integrity)
    app.add_exception_handler(OverflowError, out_of_range)
    app.add_exception_handler(DataError, out_of_range)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(StarletteHTTPException, http)
