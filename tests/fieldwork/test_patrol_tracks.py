"""The supervisor's view of a worker's day: the GPS track over the grid with minutes inside and
outside, only for workers whose grid lies in the supervisor's area; the page draws it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import INSIDE, OUTSIDE, new_uuid
from tests.fieldwork.test_patrols import START, track

DAY = "2026-11-25"


def patrol(client: TestClient, headers: dict, points: list[dict], start: datetime = START) -> str:
    uuid = new_uuid()
    base = "/api/v1/field/patrols"
    client.post(base, json={"uuid": uuid, "started_at": start.isoformat()}, headers=headers)
    client.post(f"{base}/{uuid}/points", json={"points": points}, headers=headers)
    end = max(p["t"] for p in points)
    client.post(f"{base}/{uuid}/end", json={"ended_at": end}, headers=headers)
    return uuid


def test_supervisor_sees_the_track_with_minutes_inside_and_outside(
    client: TestClient, db: Session, grid, worker, worker_headers: dict
) -> None:
    # 20 min inside (41 points), one boundary interval (15 s in, 15 s out), 10 min outside.
    inside = track(41, INSIDE, START)
    outside = track(21, OUTSIDE, START + timedelta(seconds=41 * 30))
    uuid = patrol(client, worker_headers, inside + outside)
    # A second, shorter patrol later the same day: 5 minutes inside.
    later = START + timedelta(hours=2)
    patrol(client, worker_headers, track(11, INSIDE, later), start=later)

    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, supervisor)
    response = client.get(
        f"/api/v1/field/patrols/tracks/{worker.id}", params={"day": DAY}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["grid_code"], body["day"]) == (grid.code, DAY)
    assert [g["code"] for g in body["grids"]] == [grid.code]
    assert body["grids"][0]["geometry"]["type"] == "Polygon"
    first, second = body["patrols"]
    assert first["uuid"] == uuid and len(first["points"]) == 62
    assert (first["seconds_inside"], first["seconds_outside"]) == (1200 + 15, 15 + 600)
    assert [p["inside"] for p in first["points"][39:43]] == [True, True, False, False]
    assert (second["seconds_inside"], second["seconds_outside"]) == (300, 0)
    assert (body["seconds_inside"], body["seconds_outside"]) == (1515, 615)
    assert body["met"] is False
    # The same minutes as the duty table (one rule, computed on the server).
    summary = client.get(
        "/api/v1/field/patrols/summary", params={"day": DAY}, headers=headers
    ).json()
    assert summary["workers"][0]["seconds_inside"] == 1515
    # Whereabouts are sensitive: the view is in the trail.
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "patrol.track_view")).one()
    assert (entry.object_id, entry.user_id) == (str(worker.id), supervisor.id)

    workers = client.get("/api/v1/field/patrols/workers", headers=headers).json()
    assert [w["user_id"] for w in workers] == [worker.id]


def test_track_of_a_worker_outside_the_area_is_not_found(
    client: TestClient, db: Session, grid, worker, worker_headers: dict
) -> None:
    patrol(client, worker_headers, track(5, INSIDE, START))
    other_community = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420502001002")
    headers = auth_headers(client, other_community)
    url = f"/api/v1/field/patrols/tracks/{worker.id}"
    assert client.get(url, params={"day": DAY}, headers=headers).status_code == 404
    assert client.get("/api/v1/field/patrols/workers", headers=headers).json() == []
    street = create_user(db, role=Role.STREET_STAFF, region_code=grid.code[:9])
    response = client.get(url, params={"day": DAY}, headers=auth_headers(client, street))
    assert response.status_code == 200 and len(response.json()["patrols"]) == 1
    assert client.get(url, headers=worker_headers).status_code == 403
    # A user who is no grid worker has no track, even in the area.
    assert (
        client.get(
            f"/api/v1/field/patrols/tracks/{street.id}", headers=auth_headers(client, street)
        ).status_code
        == 404
    )


def test_a_day_without_patrol_is_an_empty_track(
    client: TestClient, db: Session, grid, worker
) -> None:
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    body = client.get(
        f"/api/v1/field/patrols/tracks/{worker.id}",
        params={"day": DAY},
        headers=auth_headers(client, supervisor),
    ).json()
    assert (body["patrols"], body["seconds_inside"], body["seconds_outside"]) == ([], 0, 0)
    assert [g["code"] for g in body["grids"]] == [grid.code]


def test_supervise_page_draws_the_track(
    client: TestClient, db: Session, grid, worker, worker_headers: dict
) -> None:
    patrol(
        client,
        worker_headers,
        track(41, INSIDE, START) + track(3, OUTSIDE, START + timedelta(minutes=21)),
    )
    client.headers.pop("Authorization", None)
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    web_login(client, supervisor.username)
    page = client.get("/field/supervise", params={"day": DAY, "worker": worker.id})
    assert page.status_code == 200
    assert 'id="track-map"' in page.text and "/static/vendor/leaflet/leaflet.js" in page.text
    assert 'id="track-inside" data-seconds="1230"' in page.text
    assert 'id="track-outside" data-seconds="90"' in page.text
    assert f'<option value="{worker.id}" selected>' in page.text
    local = START.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"<td>{local}–" in page.text
    # A worker outside the area: the page says so instead of drawing anything.
    stranger = create_user(db, role=Role.GRID_WORKER, region_code="420502001002001")
    page = client.get("/field/supervise", params={"day": DAY, "worker": stranger.id})
    assert page.status_code == 200
    assert 'id="page-error"' in page.text and 'id="track-map"' not in page.text


def test_the_system_administrator_sees_no_tracks(
    client: TestClient, db: Session, grid, worker, worker_headers: dict
) -> None:
    patrol(client, worker_headers, track(5, INSIDE, START))
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    url = f"/api/v1/field/patrols/tracks/{worker.id}"
    assert client.get(url, headers=auth_headers(client, admin)).status_code == 403
    client.headers.pop("Authorization", None)
    web_login(client, admin.username)
    page = client.get("/field/supervise", params={"day": DAY, "worker": worker.id})
    assert page.status_code == 200  # the duty table and the conflicts stay theirs
    assert 'id="track-map"' not in page.text and 'id="page-error"' in page.text
    assert f'<option value="{worker.id}"' not in page.text
