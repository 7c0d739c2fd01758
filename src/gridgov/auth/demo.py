"""The demo's accounts: one per role (and a handler and an admin for every department that
receives cases), each able to do its whole job on the synthetic city, with a fresh password
printed by ``gridgov demo``. Not used outside the demo."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from gridgov.auth import passwords
from gridgov.auth.demo_departments import receiving_departments
from gridgov.auth.repository import UserRepository
from gridgov.auth.schemas import UserCreate
from gridgov.auth.service import create_user, set_password
from gridgov.auth.vocabulary import ROLE_NAMES
from gridgov.authz.principal import (
    ACCOUNT_ROLES,
    DEPARTMENT_ROLES,
    REGION_ROLE_CODE_LENGTH,
    Role,
)
from gridgov.config import Settings


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: Role
    region_code: str | None
    department_code: str | None


# The police: receives cases (traffic, parking) and is entitled to read the population base.
DEMO_DEPARTMENT = "GA"
DEMO_FALLBACK_GRID = "420502001001001"


def create_demo_accounts(session: Session, *, settings: Settings) -> list[DemoAccount]:
    """One account per role, named after the role, with a fresh random password each run
    (printed by ``gridgov demo``; no forced change in the demo). The grid worker is linked to a
    real grid and its staff record, the inspector to a commerce overlay grid, when the city
    exists."""
    users = UserRepository(session)
    staffed = users.first_staffed_grid()
    grid_code = staffed[0].code if staffed else DEMO_FALLBACK_GRID
    worker_staff = staffed[1] if staffed else None
    overlay = users.first_overlay()
    region_by_role: dict[Role, str | None] = {
        role: grid_code[:length] for role, length in REGION_ROLE_CODE_LENGTH.items()
    }
    region_by_role[Role.INSPECTOR] = overlay[0].code if overlay else "GS420500001"
    staff_by_role = {
        Role.GRID_WORKER: worker_staff.id if worker_staff else None,
        Role.INSPECTOR: overlay[1].id if overlay and overlay[1] else None,
    }
    accounts: list[DemoAccount] = []
    for role in ACCOUNT_ROLES:
        staff_id = staff_by_role.get(role)
        if staff_id is not None:
            holder = users.staff_linked(staff_id)
            if holder is not None and holder.username != role.value:
                staff_id = None
        accounts.append(
            ensure_demo_account(
                session,
                username=role.value,
                role=role,
                region_code=region_by_role.get(role),
                department_code=DEMO_DEPARTMENT if role in DEPARTMENT_ROLES else None,
                staff_id=staff_id,
                settings=settings,
            )
        )
    # One handler and one admin for every department that receives cases: the "police"
    # department above holds data entitlements but receives none (cases go to "GA", "CG" …).

    for code in receiving_departments(session):
        for role, prefix in (
            (Role.DEPARTMENT_HANDLER, "handler"),
            (Role.DEPARTMENT_ADMIN, "dept_admin"),
        ):
            accounts.append(
                ensure_demo_account(
                    session,
                    username=f"{prefix}_{code.lower()}",
                    role=role,
                    region_code=None,
                    department_code=code,
                    staff_id=None,
                    settings=settings,
                )
            )
    return accounts


def ensure_demo_account(
    session: Session,
    *,
    username: str,
    role: Role,
    region_code: str | None,
    department_code: str | None,
    staff_id: int | None,
    settings: Settings,
) -> DemoAccount:
    """Create the demo account, or give it a fresh password and its demo scope again."""
    users = UserRepository(session)
    password = passwords.generate_password()
    user = users.get_by_username(username)
    if user is None:
        user = create_user(
            session,
            user_in=UserCreate(
                username=username,
                role=role,
                password=password,
                # in words, as people read it: 演示网格员, 演示部门处置人员 GA
                display_name=f"演示{ROLE_NAMES[role]}"
                + (f" {department_code}" if department_code else ""),
                region_code=region_code,
                department_code=department_code,
                staff_id=staff_id,
                must_change_password=False,
            ),
            settings=settings,
        )
    else:
        user.region_code = region_code
        user.department_code = department_code
        user.staff_id = staff_id
        user.active = True
        set_password(
            session,
            user=user,
            password=password,
            settings=settings,
            must_change=False,
            note="demo accounts refreshed",
        )
    return DemoAccount(
        username=user.username,
        password=password,
        role=role,
        region_code=region_code,
        department_code=department_code,
    )
