"""Pure ASGI middleware (cheap on the hot path): request ids and the body size limit."""

from __future__ import annotations

import json
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridgov.kit.context import request_id_var
from gridgov.kit.errors import PROBLEM_JSON, BadRequest, GridgovError, PayloadTooLarge, problem


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        incoming = headers.get(b"x-request-id", b"").decode("latin-1")[:64]
        request_id = incoming or uuid.uuid4().hex
        token = request_id_var.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode("latin-1")))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Reject bodies over ``max_bytes`` with 413 before the endpoint reads them.

    ``large_paths`` (photo uploads) get ``large_max_bytes`` instead.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_bytes: int,
        large_max_bytes: int,
        large_paths: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.large_max_bytes = large_max_bytes
        self.large_paths = large_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = (
            self.large_max_bytes
            if any(path.startswith(p) for p in self.large_paths)
            else self.max_bytes
        )
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(send, limit)


class _BodyTooLarge(Exception):
    pass


# NUL characters in text: PostgreSQL cannot store them and no user types them. Binary uploads
# (multipart, octet-stream) are not text and pass.
_NUL_IN_QUERY = (b"%00", b"\x00")
_NUL_IN_BODY = {b"application/json": (b"\\u0000",), b"application/x-www-form-urlencoded": (b"%00",)}


class NulCharacterMiddleware:
    """Reject NUL characters in the query string and in JSON / form bodies with a clear 400.

    Text bodies up to ``max_bytes`` are read ahead and replayed to the app (larger ones are left
    to the size limit)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query: bytes = scope.get("query_string", b"").lower()
        raw_path: bytes = scope.get("raw_path") or b""
        if any(marker in query for marker in _NUL_IN_QUERY) or b"%00" in raw_path:
            await _send_error(send, _nul_error())
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        markers = _NUL_IN_BODY.get(content_type)
        if markers is None:
            await self.app(scope, receive, send)
            return
        read_ahead: list[Message] = []
        body = b""
        while len(body) <= self.max_bytes:
            message = await receive()
            read_ahead.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        lowered = body.lower()
        if b"\x00" in body or any(marker in lowered for marker in markers):
            await _send_error(send, _nul_error())
            return

        async def replay() -> Message:
            if read_ahead:
                return read_ahead.pop(0)
            return await receive()

        await self.app(scope, replay, send)


def _nul_error() -> BadRequest:
    return BadRequest("输入中含有不允许的 NUL 字符", "The input contains a NUL character")


async def _too_large(send: Send, limit: int) -> None:
    await _send_error(
        send,
        PayloadTooLarge(
            f"请求体超过 {limit} 字节上限", f"Request body exceeds the limit of {limit} bytes"
        ),
    )


async def _send_error(send: Send, error: GridgovError) -> None:
    payload = json.dumps(problem(error), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
