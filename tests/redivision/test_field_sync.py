"""The field app receives the new grid on its next sync: the bundle the worker's app already
signed in for reads the grid's boundary and records after the re-division."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.models.house import House
from gridgov.redivision import apply, service
from tests.factories import auth_headers, create_user
from tests.redivision.conftest import Built

SYSTEM = system_principal("test-redivision")


def test_the_workers_next_sync_loads_the_new_grid(
    client: TestClient, db: Session, drifted: Built
) -> None:
    grid = drifted.codes[1]  # the shrunk grid: it takes buildings in
    worker = create_user(db, role=Role.GRID_WORKER, region_code=grid)
    worker.staff_id = drifted.staff[grid].id
    db.flush()
    headers = auth_headers(client, worker)  # signed in before the change, as a phone would be
    before = client.get("/api/v1/field/bundle", headers=headers).json()
    assert before["grid"]["code"] == grid and len(before["houses"]) > 0

    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    apply.approve(db, principal=SYSTEM, proposal_id=proposal.id)
    db.flush()

    db.refresh(worker)
    after = client.get("/api/v1/field/bundle", headers=headers).json()
    mine = worker.region_code
    assert after["grid"]["code"] == mine
    houses = db.scalar(select(func.count()).select_from(House).where(House.grid_code == mine))
    assert len(after["houses"]) == houses
    if mine == grid:  # kept its code: a new boundary and more houses
        assert after["grid"]["geometry"] != before["grid"]["geometry"]
        assert len(after["houses"]) > len(before["houses"])
