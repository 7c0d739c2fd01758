"""FastAPI dependencies resolving the caller.

* :func:`current_principal` — API routes: ``Authorization: Bearer <token>`` or the web session
  cookie (unsafe methods with the cookie also need the ``X-CSRF-Token`` header). 401 otherwise.
  A caller resolved by this process seconds ago is answered without a query or a worker thread
  (``auth/session_cache.py``); :func:`resolve_principal` is the same for code in a thread.
* :func:`require_roles` — ``Depends(require_roles(Role.AUDITOR, ...))`` gives the principal or 403.
* :func:`page_principal` / :func:`page_roles` — pages: redirect to ``/login`` instead of 401.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated
from urllib.parse import quote

import anyio.to_thread
from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from gridgov.audit.trail import PRINCIPAL_KEY
from gridgov.auth import service
from gridgov.auth.csrf import CSRF_HEADER, SESSION_COOKIE, csrf_valid
from gridgov.auth.errors import (
    CsrfFailed,
    InvalidToken,
    PasswordChangeRequired,
    RoleNotAllowed,
    SignInRequired,
)
from gridgov.authz.principal import Principal, Role
from gridgov.config import Settings, get_settings
from gridgov.kit.db import request_session
from gridgov.kit.errors import GridgovError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Where an account that still has its initial password may go.
PASSWORD_CHANGE_PATHS = frozenset(
    {"/api/v1/auth/me", "/api/v1/auth/password", "/api/v1/auth/logout", "/password", "/logout"}
)


def app_settings(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


async def _settings_dependency(request: Request) -> Settings:
    return app_settings(request)  # async: a plain lookup needs no worker thread


AppSettings = Annotated[Settings, Depends(_settings_dependency)]


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise InvalidToken()
    return value.strip()


def _credentials(request: Request) -> tuple[str, str] | None:
    """(token, kind) presented with the request, or None."""
    token = _bearer(request)
    kind = "bearer"
    if token is None:
        token = request.cookies.get(SESSION_COOKIE)
        kind = "web"
    if not token:
        return None
    if len(token) > 200:
        raise InvalidToken()
    return token, kind


def _admit(request: Request, session: Session, resolved: service.Resolved, kind: str) -> Principal:
    principal = resolved.principal
    request.state.principal = principal
    request.state.account = resolved.account
    # Writes the request forgets to trail are attributed to the caller (the safety net in gridgov.audit.trail).
    session.info[PRINCIPAL_KEY] = principal
    if (
        kind == "web"
        and request.method not in SAFE_METHODS
        and not getattr(request.state, "csrf_checked", False)
        and not csrf_valid(request, request.headers.get(CSRF_HEADER))
    ):
        raise CsrfFailed()
    if resolved.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    return principal


def resolve_principal(request: Request, session: Session) -> Principal | None:
    """The caller, or None when no credentials came with the request (in a worker thread)."""
    credentials = _credentials(request)
    if credentials is None:
        return None
    token, kind = credentials
    settings = app_settings(request)
    resolved = service.recall(token, kind=kind, settings=settings) or service.resolve(
        session, token=token, kind=kind, settings=settings
    )
    return _admit(request, session, resolved, kind)


async def _resolve(request: Request, session: Session) -> Principal | None:
    """:func:`resolve_principal` for dependencies: a caller this process resolved seconds ago
    (auth/session_cache.py) is answered on the event loop; otherwise one worker-thread hop
    asks the database."""
    credentials = _credentials(request)
    if credentials is None:
        return None
    token, kind = credentials
    settings = app_settings(request)
    resolved = service.recall(token, kind=kind, settings=settings)
    if resolved is None:
        resolved = await anyio.to_thread.run_sync(
            partial(service.resolve, session, token=token, kind=kind, settings=settings)
        )
    return _admit(request, session, resolved, kind)


async def current_principal(
    request: Request, session: Annotated[Session, Depends(request_session, scope="function")]
) -> Principal:
    principal = await _resolve(request, session)
    if principal is None:
        raise SignInRequired()
    return principal


async def optional_principal(
    request: Request, session: Annotated[Session, Depends(request_session, scope="function")]
) -> Principal | None:
    """The caller if signed in, else None (routes open to the public)."""
    try:
        return await _resolve(request, session)
    except InvalidToken:
        return None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the principal if it holds one of ``roles``, else 403 (in the trail)."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in allowed:
            raise RoleNotAllowed()
        return principal

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    dependency.__name__ = "require_" + "_".join(sorted(r.value for r in allowed))
    return dependency


class LoginRedirect(HTTPException):
    """Raised by page dependencies; FastAPI turns it into a 303 to the sign-in page."""

    def __init__(self, location: str) -> None:
        super().__init__(
            status_code=303,
            detail="Sign-in required",
            headers={"Location": location, "HX-Redirect": location},
        )


async def page_principal(
    request: Request, session: Annotated[Session, Depends(request_session, scope="function")]
) -> Principal:
    """Pages: the signed-in principal, else a redirect to ``/login?next=<this page>``; an
    account that must change its password is sent to ``/password``."""
    nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    try:
        principal = await _resolve(request, session)
    except PasswordChangeRequired as exc:
        raise LoginRedirect("/password") from exc
    except GridgovError as exc:
        if isinstance(exc, CsrfFailed):
            raise
        raise LoginRedirect("/login?next=" + quote(nxt, safe="/")) from exc
    if principal is None:
        raise LoginRedirect("/login?next=" + quote(nxt, safe="/"))
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]


def page_roles(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """Pages restricted to some roles: redirect when signed out, 403 for other roles."""
    allowed = frozenset(roles)

    async def dependency(principal: PagePrincipal) -> Principal:
        if principal.role not in allowed:
            raise RoleNotAllowed()
        return principal

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency
