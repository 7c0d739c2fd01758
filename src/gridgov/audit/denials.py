"""Denied access (403) goes into the trail even though the request itself rolls back.

The handler runs after the request's session rolled back; it opens a session the same way the
request did (honouring dependency overrides, so tests write into their own transaction) and
commits the one entry.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session, session_factory
from gridgov.kit.errors import Forbidden


def _record_denial(app: FastAPI, request: Request, exc: Forbidden) -> None:
    principal: Principal | None = getattr(request.state, "principal", None)

    def write(session: Session) -> None:
        trail.record(
            session,
            action="access.denied",
            object_type="route",
            object_id=f"{request.method} {request.url.path}"[:64],
            principal=principal,
            outcome="denied",
            note=f"{exc.code}: {exc.message_en}"[:500],
        )

    override = app.dependency_overrides.get(request_session)
    if override is None:
        factory = getattr(app.state, "session_factory", None) or session_factory()
        with factory() as session:
            write(session)
            session.commit()
        return
    # Tests: the override yields the test's session; finishing the generator commits it.
    sessions = cast(Generator[Session, None, None], override())
    session = next(sessions)
    try:
        write(session)
    except BaseException as error:
        with contextlib.suppress(StopIteration):
            sessions.throw(error)
        raise
    next(sessions, None)


def install(app: FastAPI) -> None:
    """Register the handler (called from ``gridgov.app``)."""

    async def forbidden(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Forbidden)
        await run_in_threadpool(_record_denial, app, request, exc)
        body: dict[str, Any] = {"detail": exc.to_dict()}
        return JSONResponse(body, status_code=exc.status_code)

    app.add_exception_handler(Forbidden, forbidden)
