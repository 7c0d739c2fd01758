"""Issue 16 item 18: patrol time does not trust the phone's clock — points count only between
the patrol's start and the server's receipt, and a patrol whose phone clock drifts is flagged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from gridgov.kit.clock import utcnow
from tests.fieldwork.conftest import INSIDE, grid, new_uuid, worker, worker_headers

__all__ = ["grid", "worker", "worker_headers"]  # the field workers' fixtures
BASE = "/api/v1/field/patrols"


def track(count: int, start: datetime) -> list[dict[str, Any]]:
    return [
        {"t": (start + timedelta(seconds=30 * i)).isoformat(), "lng": INSIDE[0], "lat": INSIDE[1]}
        for i in range(count)
    ]


def start_patrol(client: TestClient, headers: dict, started_at: datetime) -> str:
    uuid = new_uuid()
    response = client.post(
        BASE, json={"uuid": uuid, "started_at": started_at.isoformat()}, headers=headers
    )
    assert response.status_code == 201, response.text
    return uuid


def test_points_before_the_start_do_not_count(client: TestClient, worker_headers: dict) -> None:
    started = utcnow().astimezone(UTC).replace(microsecond=0) - timedelta(hours=1)
    uuid = start_patrol(client, worker_headers, started)
    # A phone set back by two hours sends a track "from before the start": an hour of it
    # would otherwise count as duty.
    early = track(121, started - timedelta(hours=2))
    response = client.post(f"{BASE}/{uuid}/points", json={"points": early}, headers=worker_headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["seconds_inside"] == 0 and body["point_count"] == 0
    assert {r["code"] for r in body["results"]} == {"before_start"}
    assert body["clock_flagged"] is True and body["clock_drift_s"] <= -3600

    good = track(11, started + timedelta(minutes=1))
    body = client.post(
        f"{BASE}/{uuid}/points", json={"points": good}, headers=worker_headers
    ).json()
    assert body["seconds_inside"] == 300 and body["point_count"] == 11


def test_a_phone_clock_that_drifts_flags_the_patrol(
    client: TestClient, worker_headers: dict
) -> None:
    now = utcnow().astimezone(UTC).replace(microsecond=0)
    uuid = start_patrol(client, worker_headers, now - timedelta(minutes=30))
    points = track(5, now - timedelta(minutes=20))
    steady = client.post(
        f"{BASE}/{uuid}/points",
        json={"points": points, "sent_at": (now + timedelta(seconds=20)).isoformat()},
        headers=worker_headers,
    ).json()
    assert steady["clock_flagged"] is False and steady["point_count"] == 5
    behind = client.post(
        f"{BASE}/{uuid}/points",
        json={"points": [], "sent_at": (now - timedelta(minutes=40)).isoformat()},
        headers=worker_headers,
    ).json()
    assert behind["clock_flagged"] is True and behind["clock_drift_s"] < -30 * 60
    # A start dated in the future is taken as now, and flagged.
    ahead = client.post(
        BASE,
        json={"uuid": new_uuid(), "started_at": (now + timedelta(hours=3)).isoformat()},
        headers=worker_headers,
    ).json()
    assert ahead["clock_flagged"] is True and ahead["clock_drift_s"] > 2 * 3600
