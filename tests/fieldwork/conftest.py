"""Fixtures of the field app tests: one grid (a square in Xiling district) and its worker."""

from __future__ import annotations

import itertools
import json
import uuid as uuidlib
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.models.region import Region
from gridgov.people.identifiers import make_resident_id
from tests.factories import DEFAULT_GRID_CODE, auth_headers, create_user

# A ~1 km square around (111.30, 30.70).
WEST, SOUTH, EAST, NORTH = 111.295, 30.695, 111.305, 30.705
INSIDE = (111.300, 30.700)
OUTSIDE = (111.320, 30.720)


def make_grid(db: Session, code: str = DEFAULT_GRID_CODE, offset: float = 0.0) -> Region:
    ring = [
        [WEST + offset, SOUTH],
        [EAST + offset, SOUTH],
        [EAST + offset, NORTH],
        [WEST + offset, NORTH],
        [WEST + offset, SOUTH],
    ]
    region = Region(
        code=code,
        name=f"网格 {code[-3:]}",
        level="grid",
        layer="base",
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        min_lng=WEST + offset,
        min_lat=SOUTH,
        max_lng=EAST + offset,
        max_lat=NORTH,
        center_lng=(WEST + EAST) / 2 + offset,
        center_lat=(SOUTH + NORTH) / 2,
        area_m2=1_000_000.0,
    )
    db.add(region)
    db.flush()
    return region


def new_uuid() -> str:
    return str(uuidlib.uuid4())


@pytest.fixture
def grid(db: Session) -> Region:
    return make_grid(db)


@pytest.fixture
def worker(db: Session, grid: Region) -> Any:
    return create_user(db, role=Role.GRID_WORKER, region_code=grid.code)


@pytest.fixture
def worker_headers(client: TestClient, worker: Any) -> dict[str, str]:
    return auth_headers(client, worker)


@pytest.fixture
def principal(worker: Any) -> Principal:
    return Principal(
        user_id=worker.id,
        username=worker.username,
        role=Role.GRID_WORKER,
        region_code=worker.region_code,
        channel="grid_worker",
    )


_SEQUENCE = itertools.count(2, 2)  # even: women


def resident_id() -> str:
    """A valid resident ID of a woman born 1949-12-31, different at each call."""
    return make_resident_id("110105", date(1949, 12, 31), next(_SEQUENCE) % 1000)


def population_record(**overrides: Any) -> dict[str, Any]:
    """A population-module record: without a subject it registers a newcomer (a new ID each)."""
    record = {
        "uuid": new_uuid(),
        "kind": "form",
        "module": "population",
        "data": {
            "name": "张丽",
            "id_number": resident_id(),
            "sex": "F",
            "birth_date": "1949-12-31",
            "residence": "registered",
        },
        "lng": INSIDE[0],
        "lat": INSIDE[1],
        "collected_at": "2026-11-25T09:00:00+08:00",
    }
    record.update(overrides)
    return record
