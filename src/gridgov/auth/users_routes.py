"""Account administration for the security administrator (GB/T 22239: separate duties).

Administrator accounts (system, security, audit) are managed on the command line only; nobody
manages their own account here.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.deps import AppSettings, require_roles
from gridgov.auth.passwords import generate_password
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import UserCreate, UserRead, UserUpdate
from gridgov.authz.policy import ACCOUNT_ADMINS, ACCOUNT_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.errors import NotFound
from gridgov.kit.pagination import Page, PageParams, page_params, paginate
from gridgov.models.user import User

router = APIRouter(prefix="/users", tags=["users"])

UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]

DbSession = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(require_roles(*ACCOUNT_READERS))]
Admin = Annotated[Principal, Depends(require_roles(*ACCOUNT_ADMINS))]
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not the security administrator, or an administrator account"},
    404: {"description": "No such account"},
}


class PasswordIssued(BaseModel):
    user: UserRead
    initial_password: str


def _get(session: Session, principal: Principal, user_id: int) -> User:
    repo = UserRepository(session)
    user = session.scalar(repo.readable_statement(principal).where(User.id == user_id))
    if user is None:
        raise NotFound("账户不存在", "No such account")
    return user


@router.get("", response_model=Page[UserRead], responses=_ERRORS)
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


@router.post("", response_model=UserRead, status_code=201, responses=_ERRORS)
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


@router.get("/{user_id}", response_model=UserRead, responses=_ERRORS)
def get_user(user_id: UserId, principal: Reader, session: DbSession) -> UserRead:
    return UserRead.model_validate(_get(session, principal, user_id))


@router.patch("/{user_id}", response_model=UserRead, responses=_ERRORS)
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


@router.post("/{user_id}/reset-password", response_model=PasswordIssued, responses=_ERRORS)
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
