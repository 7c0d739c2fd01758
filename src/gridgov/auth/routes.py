"""Accounts API: tokens for the API and the field app, the caller's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.deps import AppSettings, CurrentPrincipal
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import MeRead, PasswordChange, TokenRead, TokenRefresh, TokenRequest
from gridgov.kit.db import ends_request, request_session

router = APIRouter(prefix="/auth", tags=["auth"])

DbSession = Annotated[Session, Depends(request_session, scope="function")]

_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Wrong credentials or invalid token"},
    423: {"description": "Account locked after too many failures"},
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
@ends_request  # every client asks at every start: one worker-thread hop, not two
def me(principal: CurrentPrincipal, session: DbSession) -> MeRead:
    account = UserRepository(session).account_row(principal.user_id)
    assert account is not None
    return MeRead.model_validate(
        {
            **account._mapping,
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
