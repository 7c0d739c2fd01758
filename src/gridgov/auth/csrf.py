"""CSRF protection for forms and cookie-authenticated requests.

The token is an HMAC (key: the secret key) of the session cookie's hash, or — before sign-in —
of a random ``gridgov_csrf`` cookie (double submit). Use it like this:

* templates: ``{% from "auth/csrf.html" import csrf_field %}`` then ``{{ csrf_field(request) }}``
  inside every ``<form method="post">``; htmx: ``hx-headers='{{ csrf_hx_headers(request) }}'``
  (or call the global ``csrf_token(request)``);
* form routes: ``dependencies=[Depends(csrf_protect)]`` (a test fails for a web POST route
  without it);
* API calls authenticated by the cookie send the ``X-CSRF-Token`` header (checked in
  ``current_principal``); bearer-token calls need nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from fastapi import Request, Response
from markupsafe import Markup

from gridgov.auth.errors import CsrfFailed
from gridgov.config import Settings, get_settings
from gridgov.web import templates

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
ANON_COOKIE = "gridgov_csrf"
SESSION_COOKIE = "gridgov_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _settings(request: Request) -> Settings:
    settings = getattr(request.app.state, "settings", None)
    return settings if isinstance(settings, Settings) else get_settings()


def _sign(basis: str, settings: Settings, secret: str | None = None) -> str:
    message = ("gridgov/csrf/v1:" + basis).encode()
    key = (secret or settings.secret_key).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _basis(request: Request) -> str | None:
    session_token = request.cookies.get(SESSION_COOKIE)
    if session_token:
        return "s:" + hashlib.sha256(session_token.encode()).hexdigest()
    anon = getattr(request.state, "new_csrf_cookie", None) or request.cookies.get(ANON_COOKIE)
    if anon:
        return "a:" + anon
    return None


def token_for_session_cookie(session_token: str, settings: Settings) -> str:
    """The CSRF token belonging to a session cookie (for the response that sets the cookie)."""
    return _sign("s:" + hashlib.sha256(session_token.encode()).hexdigest(), settings)


def csrf_token(request: Request) -> str:
    """The token to put into forms of this request's page (template global)."""
    basis = _basis(request)
    if basis is None:
        request.state.new_csrf_cookie = secrets.token_urlsafe(24)
        basis = "a:" + request.state.new_csrf_cookie
    return _sign(basis, _settings(request))


def set_csrf_cookie(request: Request, response: Response) -> Response:
    """Pages rendered before sign-in: store the double-submit cookie a form token was made for."""
    value = getattr(request.state, "new_csrf_cookie", None)
    if value:
        response.set_cookie(
            ANON_COOKIE,
            value,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
    return response


def csrf_valid(request: Request, presented: str | None) -> bool:
    basis = _basis(request)
    if not presented or basis is None:
        return False
    settings = _settings(request)
    # A page opened before `gridgov keys rotate` still carries a token of the retired secret.
    return any(
        hmac.compare_digest(presented.encode(), _sign(basis, settings, secret).encode())
        for secret in settings.secret_key_ring
    )


async def csrf_protect(request: Request) -> None:
    """Dependency for every form POST of the web pages: 403 unless the token matches."""
    if request.method in SAFE_METHODS:
        return
    presented = request.headers.get(CSRF_HEADER)
    if not presented:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            presented = value if isinstance(value, str) else None
    if not csrf_valid(request, presented):
        raise CsrfFailed()
    request.state.csrf_checked = True


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, csrf_token(request)
    )


def csrf_hx_headers(request: Request) -> Markup:
    return Markup("{}").format(json.dumps({"X-CSRF-Token": csrf_token(request)}))


def install_template_globals() -> None:
    templates.env.globals.update(
        csrf_token=csrf_token, csrf_field=csrf_field, csrf_hx_headers=csrf_hx_headers
    )


install_template_globals()
