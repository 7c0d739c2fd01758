"""A two-grid city and signed-in users for the case, Open311 and media tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.region import Region
from tests.factories import auth_headers, create_user

GRID_A = "420502001001001"
GRID_B = "420502001001002"
POINT_A = (111.005, 30.005)
POINT_B = (111.015, 30.005)
OUTSIDE = (100.0, 20.0)
# Smallest valid images of each accepted type (magic bytes are what counts).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 48


def _square(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def _region(db: Session, code: str, level: str, parent: Region | None, box: tuple) -> Region:
    x0, y0, x1, y1 = box
    region = Region(
        code=code,
        name=f"测试{level}{code[-3:]}",
        level=level,
        layer="base",
        parent_id=parent.id if parent else None,
        geometry=json.dumps(_square(*box)),
        min_lng=x0,
        min_lat=y0,
        max_lng=x1,
        max_lat=y1,
        center_lng=(x0 + x1) / 2,
        center_lat=(y0 + y1) / 2,
        area_m2=1_000_000.0,
    )
    db.add(region)
    db.flush()
    return region


def make_city(db: Session) -> dict[str, Region]:
    """District 420502 → street 001 → community 001 → grids 001 (west) and 002 (east)."""
    whole = (111.0, 30.0, 111.02, 30.01)
    district = _region(db, GRID_A[:6], "district", None, whole)
    street = _region(db, GRID_A[:9], "street", district, whole)
    community = _region(db, GRID_A[:12], "community", street, whole)
    grid_a = _region(db, GRID_A, "grid", community, (111.0, 30.0, 111.01, 30.01))
    grid_b = _region(db, GRID_B, "grid", community, (111.01, 30.0, 111.02, 30.01))
    db.commit()
    return {"district": district, "community": community, "a": grid_a, "b": grid_b}


class Users:
    """Signed-in users by role, created on first use."""

    def __init__(self, db: Session, client: TestClient) -> None:
        self.db, self.client = db, client
        self._headers: dict[tuple, dict[str, str]] = {}
        self.users: dict[tuple, object] = {}

    def headers(
        self, role: Role, *, region_code: str | None = None, department_code: str | None = None
    ) -> dict[str, str]:
        if department_code is None and role in (Role.DEPARTMENT_HANDLER, Role.DEPARTMENT_ADMIN):
            department_code = "HW"
        if region_code is None and role == Role.GRID_WORKER:
            region_code = GRID_A
        key = (role, region_code, department_code)
        if key not in self._headers:
            user = create_user(
                self.db, role=role, region_code=region_code, department_code=department_code
            )
            self.users[key] = user
            self._headers[key] = auth_headers(self.client, user)
        return self._headers[key]

    __call__: Callable[..., dict[str, str]] = headers


def report(
    client: TestClient,
    headers: dict[str, str],
    *,
    category: str = "E0102",
    point: tuple[float, float] = POINT_A,
    description: str = "路边有暴露垃圾 / exposed garbage by the road",
    expect: int = 201,
    **extra: object,
) -> dict:
    body = {
        "channel": "hotline",
        "category_code": category,
        "description": description,
        "lng": point[0],
        "lat": point[1],
        "reporter_name": "王小明",
        "reporter_phone": "13812345678",
        **extra,
    }
    response = client.post("/api/v1/cases", json=body, headers=headers)
    assert response.status_code == expect, response.text
    return dict(response.json())


def move(
    client: TestClient,
    headers: dict[str, str],
    case_id: int,
    name: str,
    expect: int = 200,
    **body: object,
) -> dict:
    response = client.post(f"/api/v1/cases/{case_id}/{name}", json=body, headers=headers)
    assert response.status_code == expect, response.text
    return dict(response.json())


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]
