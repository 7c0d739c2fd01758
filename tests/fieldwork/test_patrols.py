"""Patrols: GPS track in batches (re-sent points ignored), time inside the grid on the server,
the day's total against the 3-hour duty for the worker and the supervisor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.fieldwork.patrols.geometry import TrackPoint, TrackTotals, accumulate
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import INSIDE, OUTSIDE, new_uuid

START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Yichang


def track(n: int, where: tuple[float, float], start: datetime, step: int = 30) -> list[dict]:
    return [
        {
            "t": (start + timedelta(seconds=step * i)).isoformat(),
            "lng": where[0] + i * 1e-5,
            "lat": where[1],
            "accuracy": 8,
        }
        for i in range(n)
    ]


def test_time_inside_from_track(client: TestClient, worker_headers: dict) -> None:
    uuid = new_uuid()
    base = "/api/v1/field/patrols"
    response = client.post(
        base, json={"uuid": uuid, "started_at": START.isoformat()}, headers=worker_headers
    )
    assert response.status_code == 201, response.text
    assert (
        client.post(
            base, json={"uuid": uuid, "started_at": START.isoformat()}, headers=worker_headers
        ).status_code
        == 201
    )  # idempotent start
    inside = track(121, INSIDE, START)  # 120 intervals of 30 s inside = 3600 s
    first, second = inside[:60], inside[60:]
    r = client.post(f"{base}/{uuid}/points", json={"points": first}, headers=worker_headers)
    assert r.json()["seconds_inside"] == 59 * 30
    r = client.post(f"{base}/{uuid}/points", json={"points": second}, headers=worker_headers)
    assert r.json()["seconds_inside"] == 3600
    # The phone re-sends a batch whose answer it lost: nothing changes.
    r = client.post(f"{base}/{uuid}/points", json={"points": second}, headers=worker_headers)
    assert (r.json()["seconds_inside"], r.json()["point_count"]) == (3600, 121)
    # Then walks out: one boundary interval counts half, the rest outside nothing.
    later = START + timedelta(seconds=121 * 30)
    r = client.post(
        f"{base}/{uuid}/points", json={"points": track(10, OUTSIDE, later)}, headers=worker_headers
    )
    assert r.json()["seconds_inside"] == 3600 + 15
    # A gap of over 5 minutes (phone off) does not count even inside.
    gap = later + timedelta(hours=1)
    r = client.post(
        f"{base}/{uuid}/points", json={"points": track(3, INSIDE, gap)}, headers=worker_headers
    )
    assert r.json()["seconds_inside"] == 3615 + 60
    # Out-of-order points (an old queued batch) trigger a full recomputation.
    early = START - timedelta(minutes=2)
    r = client.post(
        f"{base}/{uuid}/points", json={"points": track(4, INSIDE, early)}, headers=worker_headers
    )
    assert r.json()["seconds_inside"] == 3675 + 120
    r = client.post(
        f"{base}/{uuid}/end",
        json={"ended_at": (gap + timedelta(minutes=2)).isoformat()},
        headers=worker_headers,
    )
    assert r.status_code == 200
    assert r.json()["seconds_inside"] == 3795 and r.json()["distance_m"] > 0

    today = client.get(
        "/api/v1/field/patrols/today", params={"day": "2026-11-25"}, headers=worker_headers
    )
    assert today.json()["seconds_inside"] == 3795
    assert today.json()["duty_seconds"] == 10800 and today.json()["met"] is False


def test_supervisor_sees_duty_of_workers_in_area(
    client: TestClient, db: Session, worker_headers: dict, grid
) -> None:
    uuid = new_uuid()
    client.post(
        "/api/v1/field/patrols",
        json={"uuid": uuid, "started_at": START.isoformat()},
        headers=worker_headers,
    )
    client.post(
        f"/api/v1/field/patrols/{uuid}/points",
        json={"points": track(361, INSIDE, START)},
        headers=worker_headers,
    )
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    summary = client.get(
        "/api/v1/field/patrols/summary",
        params={"day": "2026-11-25"},
        headers=auth_headers(client, supervisor),
    ).json()
    [row] = summary["workers"]
    assert (row["grid_code"], row["seconds_inside"], row["met"]) == (grid.code, 10800, True)
    elsewhere = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420502001002")
    summary = client.get(
        "/api/v1/field/patrols/summary",
        params={"day": "2026-11-25"},
        headers=auth_headers(client, elsewhere),
    ).json()
    assert summary["workers"] == []
    assert client.get("/api/v1/field/patrols/summary", headers=worker_headers).status_code == 403


def test_points_of_another_workers_patrol_are_refused(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    uuid = new_uuid()
    client.post(
        "/api/v1/field/patrols",
        json={"uuid": uuid, "started_at": START.isoformat()},
        headers=worker_headers,
    )
    other = create_user(db, role=Role.GRID_WORKER, region_code="420502001001002")
    r = client.post(
        f"/api/v1/field/patrols/{uuid}/points",
        json={"points": track(2, INSIDE, START)},
        headers=auth_headers(client, other),
    )
    assert r.status_code == 404


def test_accumulate_counts_boundary_halves() -> None:
    t0 = START
    points = [
        TrackPoint(t0 + timedelta(seconds=30 * i), 0, 0, inside)
        for i, inside in enumerate([True, True, False, False, True])
    ]
    assert accumulate(TrackTotals(), None, points).seconds_inside == 30 + 15 + 0 + 15
