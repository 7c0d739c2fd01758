"""User management pages for the security administrator (issue 10: accounts could only be
managed through the API): list and search, create, change the role with its scope, disable/
enable, reset the password. The same service functions as ``/api/v1/users``, so the same rules and trail apply
(administrator accounts stay on the command line; nobody manages their own account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.csrf import csrf_protect, set_csrf_cookie
from gridgov.auth.deps import AppSettings, page_roles
from gridgov.auth.passwords import generate_password
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import UserCreate, UserUpdate
from gridgov.authz.policy import ACCOUNT_ADMINS
from gridgov.authz.principal import ACCOUNT_ROLES, Principal, Role
from gridgov.kit.db import request_session
from gridgov.kit.errors import NotFound
from gridgov.models.department import Department
from gridgov.models.user import User
from gridgov.web.forms import attempt
from gridgov.web.i18n import N_, pick, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Admin = Annotated[Principal, Depends(page_roles(*ACCOUNT_ADMINS))]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
PAGE = 100
# Administrator accounts are created and changed on the command line only (service rule).
MANAGED_ROLES = [role for role in ACCOUNT_ROLES if role not in service.ADMIN_ROLES]
ROLE_VALUES = {role.value for role in ACCOUNT_ROLES}

add_nav(N_("用户管理"), "/admin/users", set(ACCOUNT_ADMINS))


def _departments(session: Session, language: str, keep: str | None) -> list[tuple[str, str]]:
    """The departments to choose from (and the account's own code, should it be none of them)."""
    rows = session.execute(
        select(Department.code, Department.name, Department.name_en).order_by(Department.code)
    )
    choices = [(code, pick(language, name, name_en)) for code, name, name_en in rows]
    if keep and keep not in {code for code, _ in choices}:
        choices.append((keep, keep))
    return choices


def _get(session: Session, principal: Principal, user_id: int) -> User:
    user = session.scalar(
        UserRepository(session).readable_statement(principal).where(User.id == user_id)
    )
    if user is None:
        raise NotFound("账户不存在", "No such account")
    return user


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request,
    principal: Admin,
    session: DbSession,
    q: Annotated[str, Query(max_length=64)] = "",
    role: Annotated[str, Query(max_length=32)] = "",
) -> HTMLResponse:
    stmt = UserRepository(session).readable_statement(principal)
    if q.strip():
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(or_(User.username.like(like), User.display_name.like(like)))
    if role in {r.value for r in ACCOUNT_ROLES}:
        stmt = stmt.where(User.role == role)
    users = list(session.scalars(stmt.order_by(User.username).limit(PAGE)))
    return render(
        request,
        "auth/users.html",
        principal=principal,
        users=users,
        q=q,
        role=role,
        roles=list(ACCOUNT_ROLES),
    )


def _form(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    user: User | None = None,
    issued: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    response = render(
        request,
        "auth/user.html",
        status_code=status_code,
        principal=principal,
        user=user,
        issued=issued,
        error=error,
        roles=MANAGED_ROLES,
        departments=_departments(
            session, request_language(request), user.department_code if user else None
        ),
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/admin/users/new", response_class=HTMLResponse)
def new_user_page(request: Request, principal: Admin, session: DbSession) -> HTMLResponse:
    return _form(request, session, principal)


@router.post("/admin/users/new", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def create_user(
    request: Request,
    principal: Admin,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[Role, Form()],
    display_name: Annotated[str, Form(max_length=64)] = "",
    region_code: Annotated[str, Form(max_length=24)] = "",
    department_code: Annotated[str, Form(max_length=32)] = "",
) -> HTMLResponse:
    """Create the account with a random initial password, shown once on the account's page."""
    initial = generate_password()
    user = service.create_user(
        session,
        user_in=UserCreate(
            username=username.strip().lower(),
            role=role,
            password=initial,
            display_name=display_name.strip() or None,
            region_code=region_code.strip() or None,
            department_code=department_code.strip() or None,
            must_change_password=True,
        ),
        settings=settings,
        actor=principal,
    )
    service.check_region_exists(session, user=user)
    return _form(request, session, principal, user=user, issued=initial)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def user_page(
    request: Request, user_id: UserId, principal: Admin, session: DbSession
) -> HTMLResponse:
    return _form(request, session, principal, user=_get(session, principal, user_id))


@router.post(
    "/admin/users/{user_id}", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def update_user(
    request: Request,
    user_id: UserId,
    principal: Admin,
    session: DbSession,
    role: Annotated[str, Form(max_length=32)] = "",
    display_name: Annotated[str, Form(max_length=64)] = "",
    region_code: Annotated[str, Form(max_length=24)] = "",
    department_code: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Name, role and the data scope that goes with it (region or department); the service
    checks who may grant which role."""
    user = _get(session, principal, user_id)
    with attempt(session) as tried:
        service.update_user(
            session,
            user=user,
            user_in=UserUpdate(
                role=Role(role) if role in ROLE_VALUES else None,
                display_name=display_name.strip() or None,
                region_code=region_code.strip() or None,
                department_code=department_code.strip() or None,
            ),
            actor=principal,
        )
        service.check_region_exists(session, user=user)
    if tried.error:
        session.refresh(user)
        return _form(
            request,
            session,
            principal,
            user=user,
            error=tried.message(request),
            status_code=tried.error.status_code,
        )
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.post("/admin/users/{user_id}/active", dependencies=[Depends(csrf_protect)])
def set_active(
    user_id: UserId,
    principal: Admin,
    session: DbSession,
    active: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    user = _get(session, principal, user_id)
    service.set_active(session, user=user, active=active == "1", actor=principal)
    return RedirectResponse(f"/admin/users/{user_id}", status_code=303)


@router.post(
    "/admin/users/{user_id}/reset-password",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def reset_password(
    request: Request,
    user_id: UserId,
    principal: Admin,
    session: DbSession,
    settings: AppSettings,
) -> HTMLResponse:
    user = _get(session, principal, user_id)
    initial = generate_password()
    service.reset_password(
        session, user=user, new_password=initial, settings=settings, actor=principal
    )
    return _form(request, session, principal, user=user, issued=initial)
