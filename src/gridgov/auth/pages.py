"""Web sign-in: ``/login``, ``/logout``, ``/password`` (cookie session, CSRF on every form)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.csrf import SESSION_COOKIE, csrf_protect, set_csrf_cookie
from gridgov.auth.deps import AppSettings, PagePrincipal
from gridgov.auth.repository import UserRepository
from gridgov.config import Mode, Settings
from gridgov.kit.db import request_session
from gridgov.kit.errors import GridgovError
from gridgov.web.i18n import error_text, gettext, request_language
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

DbSession = Annotated[Session, Depends(request_session, scope="function")]


def safe_next(value: str | None) -> str:
    """Only local paths: ``/cases?x=1`` yes, ``//evil.example`` or ``https://…`` no."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _message(exc: GridgovError, request: Request) -> str:
    return error_text(request_language(request), exc)


def _login_page(
    request: Request, settings: Settings, *, nxt: str, error: str | None = None, status: int = 200
) -> HTMLResponse:
    response = render(
        request,
        "auth/login.html",
        status_code=status,
        page_title=None,
        next=nxt,
        error=error,
        idle_minutes=settings.session_idle_minutes,
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: AppSettings, next: str | None = None) -> HTMLResponse:
    return _login_page(request, settings, nxt=safe_next(next))


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def login_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    nxt = safe_next(next)
    try:
        issued = service.login(
            session,
            username=username,
            password=password,
            kind="web",
            channel="web",
            settings=settings,
            client=request.headers.get("user-agent"),
        )
    except GridgovError as exc:
        # Rendered (not raised) so the failure counter and the trail entry are committed.
        return _login_page(
            request, settings, nxt=nxt, error=_message(exc, request), status=exc.status_code
        )
    target = "/password" if issued.user.must_change_password else nxt
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=issued.expires_in,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https" or settings.mode == Mode.PRODUCTION,
        path="/",
    )
    return response


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout_submit(request: Request, session: DbSession, principal: PagePrincipal) -> Response:
    service.logout(session, principal=principal)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, principal: PagePrincipal, session: DbSession) -> HTMLResponse:
    return _password_page(request, principal, session)


def _password_page(
    request: Request,
    principal: PagePrincipal,
    session: Session,
    *,
    error: str | None = None,
    done: bool = False,
    status: int = 200,
) -> HTMLResponse:
    user = UserRepository(session).get(principal.user_id)
    return render(
        request,
        "auth/password.html",
        status_code=status,
        page_title=None,
        principal=principal,
        must_change=bool(user and user.must_change_password),
        error=error,
        done=done,
    )


@router.post("/password", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def password_submit(
    request: Request,
    principal: PagePrincipal,
    session: DbSession,
    settings: AppSettings,
    current_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    repeat_password: Annotated[str, Form(max_length=256)],
) -> Response:
    if new_password != repeat_password:
        message = gettext(request_language(request), "两次输入的新密码不一致")
        return _password_page(request, principal, session, error=message, status=400)
    try:
        service.change_password(
            session,
            principal=principal,
            current_password=current_password,
            new_password=new_password,
            settings=settings,
        )
    except GridgovError as exc:
        # change_password checks everything before it writes: nothing to undo here.
        return _password_page(
            request, principal, session, error=_message(exc, request), status=exc.status_code
        )
    return RedirectResponse("/", status_code=303)


# User management for the security administrator: pages of their own.
from gridgov.auth.admin_pages import router as admin_router  # noqa: E402

router.include_router(admin_router)
