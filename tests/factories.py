"""Small helpers creating test data. Use them from every domain's tests:

user = create_user(db, role=Role.GRID_WORKER, region_code="420502001001001")
headers = auth_headers(client, user)          # real sign-in through POST /api/v1/auth/token
client.get("/api/v1/...", headers=headers)
"""

from __future__ import annotations

import itertools
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.auth.passwords import cheap_hash
from gridgov.auth.schemas import UserCreate
from gridgov.authz.principal import DEPARTMENT_ROLES, REGION_ROLE_CODE_LENGTH, Role
from gridgov.config import Mode, Settings
from gridgov.models.user import User

DEFAULT_PASSWORD = "Test-Passw0rd!"
# Codes used when a test does not care where its user works (Yichang, Xiling district).
DEFAULT_GRID_CODE = "420502001001001"
DEFAULT_DEPARTMENT = "GA"
DEFAULT_OVERLAY_CODE = "GS420500001"

_counter = itertools.count(1)
_TEST_SETTINGS = Settings(mode=Mode.TEST)


def create_user(
    db: Session,
    *,
    role: Role | str,
    region_code: str | None = None,
    department_code: str | None = None,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    staff_id: int | None = None,
    must_change_password: bool = False,
    active: bool = True,
) -> User:
    """An account of ``role``; region roles get a default code of the right length, department
    roles the ``GA`` (police) department, inspectors a default overlay code."""
    role = Role(role)
    if region_code is None and role in REGION_ROLE_CODE_LENGTH:
        region_code = DEFAULT_GRID_CODE[: REGION_ROLE_CODE_LENGTH[role]]
    if region_code is None and role == Role.INSPECTOR:
        region_code = DEFAULT_OVERLAY_CODE
    if department_code is None and role in DEPARTMENT_ROLES:
        department_code = DEFAULT_DEPARTMENT
    username = username or f"{role.value.replace('_', '')}{next(_counter)}"
    user = service.create_user(
        db,
        user_in=UserCreate(
            username=username,
            role=role,
            password=password,
            region_code=region_code,
            department_code=department_code,
            staff_id=staff_id,
            must_change_password=must_change_password,
        ),
        settings=_TEST_SETTINGS,
        password_hash=cheap_hash(password),
    )
    if not active:
        user.active = False
    # In tests ``db.commit()`` ends a savepoint: the user survives a request that fails and
    # rolls back (the app shares ``db``); the test's outer transaction still discards it.
    db.commit()
    return user


def login(
    client: TestClient,
    user_or_username: User | str,
    password: str = DEFAULT_PASSWORD,
    **extra: Any,
) -> dict[str, Any]:
    """The JSON answer of ``POST /api/v1/auth/token`` (asserts success)."""
    username = user_or_username if isinstance(user_or_username, str) else user_or_username.username
    response = client.post(
        "/api/v1/auth/token", json={"username": username, "password": password, **extra}
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def auth_headers(
    client: TestClient, user_or_username: User | str, password: str = DEFAULT_PASSWORD
) -> dict[str, str]:
    """``{"Authorization": "Bearer …"}`` for a real sign-in through the API."""
    return {"Authorization": f"Bearer {login(client, user_or_username, password)['access_token']}"}
