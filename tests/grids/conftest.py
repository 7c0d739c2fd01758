from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from gridgov.sim.city import CitySummary, build_city

SMALL_CITY_GRIDS = 60


@pytest.fixture
def city(db: Session) -> CitySummary:
    """A small synthetic city (no population) inside the test's transaction."""
    return build_city(db, grids=SMALL_CITY_GRIDS, seed=7, with_population=False)
