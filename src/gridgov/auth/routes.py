"""Accounts API: tokens for the API and the field app, the caller's own account
(``/api/v1/auth``), and account administration for the security administrator
(``/api/v1/users``, GB/T 22239: separate duties).

Administrator accounts (system, security, audit) are managed on the command line only; nobody
manages their own account here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.deps import AppSettings, CurrentPrincipal, require_roles
from gridgov.auth.passwords import generate_password
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import (
    MeRead,
    PasswordChange,
    PasswordIssued,
    TokenRead,
    TokenRefresh,
    TokenRequest,
    UserCreate,
    UserRead,
    UserUpdate,
)
from gridgov.authz.policy import ACCOUNT_ADMINS, ACCOUNT_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.errors import NotFound
from gridgov.kit.pagination import Page, PageParams, page_params, paginate
from gridgov.models.user import User

router = APIRouter(prefix="/auth", tags=["auth"])
users_router = APIRouter(prefix="/users", tags=["users"])

DbSession = Annotated[Session, Depends(request_session, scope="function")]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Reader = Annotated[Principal, Depends(require_roles(*ACCOUNT_READERS))]
Admin = Annotated[Principal, Depends(require_roles(*ACCOUNT_ADMINS))]

_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong credentials or invalid token"},
    423: {"description": "Account locked after too many failures"},
}
_USER_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not the security administrator, or an administrator account"},
    404: {"description": "No such account"},
}


def _token_read(issued: service.Issued) -> TokenRead:
    assert issued.refresh_token is not None
    return TokenRead(
        access_token=issued.token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        refresh_expires_in=issued.refresh_expires_in,
        must_change_password=issued.user.must_change_password,
    )


@router.post("/token", response_model=TokenRead, responses=_ERRORS)
def create_token(
    body: TokenRequest, request: Request, session: DbSession, settings: AppSettings
) -> TokenRead:
    """Sign in with username and password; returns a bearer token and a refresh token."""
    issued = service.login(
        session,
        username=body.username,
        password=body.password,
        kind="bearer",
        channel=body.channel,
        settings=settings,
        client=request.headers.get("user-agent"),
    )
    return _token_read(issued)


@router.post("/refresh", response_model=TokenRead, responses=_ERRORS)
def refresh_token(body: TokenRefresh, session: DbSession, settings: AppSettings) -> TokenRead:
    """Trade a refresh token for a new token pair (the old pair stops working)."""
    issued = service.refresh(session, refresh_token=body.refresh_token, settings=settings)
    return _token_read(issued)


@router.post("/logout", status_code=204, responses=_ERRORS)
def logout(principal: CurrentPrincipal, session: DbSession) -> Response:
    """Revoke the current token (or web session)."""
    service.logout(session, principal=principal)
    return Response(status_code=204)


@router.get("/me", response_model=MeRead, responses=_ERRORS)
async def me(request: Request, principal: CurrentPrincipal) -> MeRead:
    """The caller's account. Its facts come with the caller's resolution (the same query, or
    the same few seconds' memory, auth/session_cache.py): every client asks at every start, and
    the answer needs neither a query nor a worker thread of its own."""
    return MeRead.model_validate(
        {
            **request.state.account,
            "channel": principal.channel,
            "session_id": principal.session_id,
            "grid_codes": sorted(principal.grid_codes),
        }
    )


@router.post("/password", status_code=204, responses=_ERRORS)
def change_password(
    body: PasswordChange, principal: CurrentPrincipal, session: DbSession, settings: AppSettings
) -> Response:
    """Change the own password (required before anything else after an initial password)."""
    service.change_password(
        session,
        principal=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        settings=settings,
    )
    return Response(status_code=204)


# Account administration (``/users``)


def _get(session: Session, principal: Principal, user_id: int) -> User:
    repo = UserRepository(session)
    user = session.scalar(repo.readable_statement(principal).where(User.id == user_id))
    if user is None:
        raise NotFound("账户不存在", "No such account")
    return user


@users_router.get("", response_model=Page[UserRead], responses=_USER_ERRORS)
def list_users(
    principal: Reader, session: DbSession, page: Annotated[PageParams, Depends(page_params)]
) -> Page[UserRead]:
    stmt = UserRepository(session).readable_statement(principal).order_by(User.username)
    rows, total = paginate(session, stmt, page)
    return Page[UserRead](
        items=[UserRead.model_validate(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


@users_router.post("", response_model=UserRead, status_code=201, responses=_USER_ERRORS)
def create_user(
    body: UserCreate, principal: Admin, session: DbSession, settings: AppSettings
) -> UserRead:
    """Create an account; the owner must change the initial password at first sign-in."""
    user = service.create_user(
        session,
        user_in=body.model_copy(update={"must_change_password": True}),
        settings=settings,
        actor=principal,
    )
    service.check_region_exists(session, user=user)
    return UserRead.model_validate(user)


@users_router.get("/{user_id}", response_model=UserRead, responses=_USER_ERRORS)
def get_user(user_id: UserId, principal: Reader, session: DbSession) -> UserRead:
    return UserRead.model_validate(_get(session, principal, user_id))


@users_router.patch("/{user_id}", response_model=UserRead, responses=_USER_ERRORS)
def update_user(
    user_id: UserId, body: UserUpdate, principal: Admin, session: DbSession
) -> UserRead:
    """Change the role (with the scope that goes with it: a scope the new role does not use is
    cleared), scope, name, staff link or state; a new role or scope, or disabling, ends the
    sessions. Administrator roles are granted on the command line only."""
    user = _get(session, principal, user_id)
    service.update_user(session, user=user, user_in=body, actor=principal)
    if body.region_code is not None or body.role is not None:
        service.check_region_exists(session, user=user)
    return UserRead.model_validate(user)


@users_router.post(
    "/{user_id}/reset-password", response_model=PasswordIssued, responses=_USER_ERRORS
)
def reset_password(
    user_id: UserId, principal: Admin, session: DbSession, settings: AppSettings
) -> PasswordIssued:
    """A new random initial password (shown once), sessions revoked, lock-out lifted."""
    user = _get(session, principal, user_id)
    initial = generate_password()
    service.reset_password(
        session, user=user, new_password=initial, settings=settings, actor=principal
    )
    return PasswordIssued(user=UserRead.model_validate(user), initial_password=initial)
