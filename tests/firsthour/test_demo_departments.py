"""Every demo department account has cases to work on (issue 10: the demo handler's inbox was
empty because cases go to "GA", "CG" … and the handler belonged to "police")."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.auth.demo import create_demo_accounts
from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from gridgov.models.case import Case
from gridgov.sim.cases import simulate_cases
from gridgov.sim.city import build_city
from tests.factories import login

SETTINGS = Settings(mode=Mode.TEST)


def test_each_receiving_department_has_a_handler_who_sees_its_cases(
    client: TestClient, db: Session
) -> None:
    build_city(db, grids=8, seed=3, with_population=False)
    simulate_cases(db, seed=3, count=60, days=10)
    accounts = create_demo_accounts(db, settings=SETTINGS)
    db.commit()
    held = dict(
        db.execute(
            select(Case.department_code, func.count())
            .where(Case.department_code.is_not(None), Case.dispatched_at.is_not(None))
            .group_by(Case.department_code)
        ).all()
    )
    handlers = {a.department_code: a for a in accounts if a.username.startswith("handler_")}
    admins = {a.department_code for a in accounts if a.username.startswith("dept_admin_")}
    assert set(handlers) == set(held) == admins
    for code, account in handlers.items():
        assert account.role == Role.DEPARTMENT_HANDLER
        token = login(client, account.username, account.password)["access_token"]
        page = client.get(
            "/api/v1/cases?limit=200", headers={"Authorization": f"Bearer {token}"}
        ).json()
        assert page["total"] == held[code]
        assert {item["department_code"] for item in page["items"]} == {code}
