"""Uploads parsed before the request's transaction: the caller's role is checked in a short
session of its own, then the file is parsed off the event loop (at most two at once: the
machines have 2 cores), so a large or hostile file never holds a database lock while it is read
(the checks of the file itself are gridgov.kit.files)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import anyio
import anyio.to_thread
from fastapi import File, Request, UploadFile

from gridgov.auth.deps import resolve_principal
from gridgov.auth.errors import RoleNotAllowed, SignInRequired
from gridgov.authz.principal import Principal, Role
from gridgov.kit.db import side_session
from gridgov.kit.errors import PayloadTooLarge

T = TypeVar("T")


# -- off the event loop, outside the request's transaction ------------------------------------
_parsers: anyio.CapacityLimiter | None = None


async def parse_off_loop(parse: Callable[..., T], *args: Any) -> T:
    """Run a parser on a worker thread; at most two parse at once (the machines have 2 cores)."""
    global _parsers
    if _parsers is None:
        _parsers = anyio.CapacityLimiter(2)
    return await anyio.to_thread.run_sync(parse, *args, limiter=_parsers)


@dataclass
class Upload(Generic[T]):
    """An uploaded file parsed for a caller who was allowed to upload it."""

    principal: Principal
    filename: str
    content: bytes
    parsed: T


def authenticated_upload(
    parse: Callable[[bytes, str], T], *, roles: Iterable[Role], max_bytes: int | None = None
) -> Callable[..., Any]:
    """FastAPI dependency factory: check the caller's role (in a short session of its own), then
    parse the file off the event loop — all before the route's request session begins. Declare
    it before the route's principal/session parameters so FastAPI resolves it first."""
    allowed = frozenset(roles)

    async def dependency(request: Request, file: UploadFile = File(...)) -> Upload[T]:
        principal = await anyio.to_thread.run_sync(_authorise, request, allowed)
        content = await file.read() if max_bytes is None else await file.read(max_bytes + 1)
        if max_bytes is not None and len(content) > max_bytes:
            raise PayloadTooLarge("文件过大", "The file is too large")
        filename = file.filename or "upload"
        parsed = await parse_off_loop(parse, content, filename)
        return Upload(principal=principal, filename=filename, content=content, parsed=parsed)

    return dependency


def _authorise(request: Request, allowed: frozenset[Role]) -> Principal:
    # A short transaction of its own (signing in may touch the session's last-seen time), so the
    # request's own transaction — and SQLite's write lock — begins only after the parse.
    with side_session(request) as session:
        principal = resolve_principal(request, session)
    if principal is None:
        raise SignInRequired()
    if principal.role not in allowed:
        raise RoleNotAllowed()
    return principal
