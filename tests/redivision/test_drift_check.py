"""The drift is checked by the scheduler: the job ``redivision.drift`` stores every grid's loads
each day; the drift page and API say when the last check ran and how each grid moved since, and
a grid's days are its drift history."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.jobs import registry
from gridgov.kit.clock import utcnow
from gridgov.models.household import Household
from gridgov.models.redivision import GridDrift
from gridgov.people.stats import refresh_grid_stats
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.redivision.conftest import Built

SYSTEM = system_principal("test-redivision")


def test_the_daily_job_stores_every_grids_loads(
    client: TestClient, db: Session, drifted: Built
) -> None:
    spec = registry.get("redivision.drift")
    assert spec is not None and spec.daily_at == "01:30"
    yesterday = utcnow() - timedelta(days=1)
    assert spec.function(db, SYSTEM, yesterday) == 2  # the 500 and the 80
    # The same day again replaces its rows; the next day adds its own.
    assert spec.function(db, SYSTEM, yesterday) == 2
    rows = list(db.scalars(select(GridDrift).where(GridDrift.grid_code == drifted.codes[0])))
    assert len(rows) == 1 and rows[0].households == 500 and rows[0].persons == 1000
    assert rows[0].deviation == round(200 / 300, 3) and rows[0].open_cases == 1

    # Households leave the grown grid after the check: the API shows both figures.
    gone = list(
        db.scalars(select(Household).where(Household.grid_code == drifted.codes[0]).limit(30))
    )
    for household in gone:
        household.status = "moved_out"
    db.flush()
    refresh_grid_stats(db, grid_codes=[drifted.codes[0]])
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=drifted.community[:6])
    headers = auth_headers(client, staff)
    body = client.get(
        "/api/v1/redivision/drift", params={"region": drifted.community}, headers=headers
    ).json()
    assert body["last_check"]["out_of_range"] == 2
    grown = next(g for g in body["grids"] if g["code"] == drifted.codes[0])
    assert grown["households"] == 470 and grown["households_at_check"] == 500

    assert spec.function(db, SYSTEM, utcnow()) == 2
    history = client.get(
        "/api/v1/redivision/drift/history", params={"grid": drifted.codes[0]}, headers=headers
    ).json()
    assert [day["households"] for day in history] == [500, 470]

    assert web_login(client, staff.username).status_code == 303
    page = client.get("/redivision", params={"region": drifted.community})
    assert "最近一次" in page.text and "个网格超出范围" in page.text


def test_a_grid_outside_the_callers_area_has_no_history(
    client: TestClient, db: Session, drifted: Built
) -> None:
    registry.get("redivision.drift").function(db, SYSTEM, utcnow())  # type: ignore[union-attr]
    other = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420599001099")
    history = client.get(
        "/api/v1/redivision/drift/history",
        params={"grid": drifted.codes[0]},
        headers=auth_headers(client, other),
    )
    assert history.status_code == 200 and history.json() == []
