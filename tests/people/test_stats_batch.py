"""Grid statistics are refreshed once per transaction, before its commit, for every grid the
transaction touched — and are then exactly what a full recount gives."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.models.population_stats import GridPopulationStats
from gridgov.people import service, stats
from gridgov.people.schemas import PersonUpdate
from tests.people.conftest import GRID_A, GRID_B, GRID_OTHER, person_in

SYSTEM = system_principal("test")


def _stored(db: Session) -> dict[str, tuple[int, int, int]]:
    return {
        s.grid_code: (s.persons, s.registered, s.elderly)
        for s in db.scalars(select(GridPopulationStats))
    }


def test_a_batch_of_changes_refreshes_each_grid_once_before_the_commit(
    db: Session, grids: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    refreshed: list[list[str]] = []
    real = stats.refresh_grid_stats

    def counting(session: Session, **kwargs: object) -> int:
        refreshed.append(sorted(kwargs.get("grid_codes") or ()))  # type: ignore[call-overload]
        return real(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(stats, "refresh_grid_stats", counting)
    # Twelve people in A (two born before 1966: elderly), three in the other community's grid,
    # then one moves from A to B and one in A dies.
    people = [
        service.create_person(
            db,
            principal=SYSTEM,
            person_in=person_in(
                name=f"居民{n}",
                sequence=100 + n,
                birth=date(1950, 1, 1) if n < 2 else date(1990, 1, 1),
                residence_type="registered",
            ),
        )
        for n in range(12)
    ]
    for n in range(3):
        service.create_person(
            db,
            principal=SYSTEM,
            person_in=person_in(
                name=f"外网格{n}", sequence=200 + n, grid_code=GRID_OTHER, residence_type="floating"
            ),
        )
    service.update_person(
        db, principal=SYSTEM, person_id=people[5].id, changes=PersonUpdate(grid_code=GRID_B)
    )
    service.update_person(
        db, principal=SYSTEM, person_id=people[0].id, changes=PersonUpdate(living_status="deceased")
    )
    # Seventeen changes, nothing recomputed yet.
    assert refreshed == [] and _stored(db) == {}
    db.commit()
    # One refresh, for the three grids touched.
    assert refreshed == [[GRID_A, GRID_B, GRID_OTHER]]
    # A: 12 − 1 moved − 1 deceased = 10 living, all registered, 1 elderly left; B: the mover;
    # the other grid: 3 floating residents.
    assert _stored(db) == {GRID_A: (10, 10, 1), GRID_B: (1, 1, 0), GRID_OTHER: (3, 0, 0)}
    # … which is exactly what a full recount of the city writes.
    before = _stored(db)
    real(db)
    assert _stored(db) == before

    # A reader in the same transaction sees its own changes (the stale grids first).
    service.update_person(
        db, principal=SYSTEM, person_id=people[1].id, changes=PersonUpdate(living_status="deceased")
    )
    counts = stats.population_counts(db, region_codes=[GRID_A[:12]])[GRID_A[:12]]
    assert (counts.persons, counts.elderly) == (10, 0)
    assert len(refreshed) == 2
    db.commit()
    assert len(refreshed) == 2  # nothing stale left at the commit
