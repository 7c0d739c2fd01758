from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.cases import categories
from gridgov.models.region import Region
from gridgov.workcal import service as workcal
from tests.cases.helpers import Users, make_city


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    categories.clear_cache()
    workcal.clear_cache()


@pytest.fixture
def city(db: Session) -> dict[str, Region]:
    return make_city(db)


@pytest.fixture
def users(db: Session, client: TestClient) -> Users:
    return Users(db, client)
