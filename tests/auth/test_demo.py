from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.auth.demo import create_demo_accounts
from gridgov.authz.principal import ACCOUNT_ROLES, Role
from gridgov.config import Mode, Settings
from gridgov.models.region import Region
from gridgov.models.staff import Assignment
from gridgov.models.user import User
from gridgov.sim.city import build_city
from tests.factories import login

SETTINGS = Settings(mode=Mode.TEST)


def test_one_working_demo_account_per_role(client: TestClient, db: Session) -> None:
    build_city(db, grids=20, seed=3, with_population=False)
    accounts = create_demo_accounts(db, settings=SETTINGS)
    db.commit()
    # One account named after each role, then a handler and an admin per receiving department.
    assert sorted(a.role for a in accounts[: len(ACCOUNT_ROLES)]) == sorted(ACCOUNT_ROLES)
    assert Role.RESIDENT not in {a.role for a in accounts}  # residents report without one
    by_role = {a.role: a for a in accounts[: len(ACCOUNT_ROLES)]}

    worker = db.scalar(select(User).where(User.username == by_role[Role.GRID_WORKER].username))
    assert worker is not None and worker.staff_id is not None
    assignment = db.scalar(
        select(Assignment).where(
            Assignment.staff_id == worker.staff_id, Assignment.ended_at.is_(None)
        )
    )
    assert assignment is not None
    grid = db.get(Region, assignment.region_id)
    assert grid is not None and grid.code == worker.region_code

    inspector = by_role[Role.INSPECTOR]
    overlay = db.scalar(select(Region).where(Region.code == inspector.region_code))
    assert overlay is not None and overlay.layer == "commerce"

    for account in accounts:
        token = login(client, account.username, account.password)
        me = client.get(
            "/api/v1/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"}
        ).json()
        assert me["role"] == account.role.value
        if account.role == Role.INSPECTOR:
            assert len(me["grid_codes"]) >= 1

    # Running demo again hands out fresh passwords for the same accounts.
    again = create_demo_accounts(db, settings=SETTINGS)
    db.commit()
    assert [a.username for a in again] == [a.username for a in accounts]
    login(client, again[0].username, again[0].password)


def test_demo_accounts_without_a_city(db: Session) -> None:
    accounts = create_demo_accounts(db, settings=SETTINGS)
    assert [a.username for a in accounts[: len(ACCOUNT_ROLES)]] == [
        role.value for role in ACCOUNT_ROLES
    ]
