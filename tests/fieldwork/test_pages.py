"""Pages: the field app shell and its service worker, the administrators' module page (upload a
tenth module, a broken one shows its row), the supervisors' duty and conflicts page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.fieldwork.conftest import INSIDE, new_uuid
from tests.fieldwork.test_forms import xlsx


def test_shell_manifest_and_service_worker(client: TestClient) -> None:
    shell = client.get("/field/")
    assert shell.status_code == 200 and 'rel="manifest"' in shell.text
    worker = client.get("/field/sw.js")
    assert worker.headers["service-worker-allowed"] == "/field/"
    manifest = client.get("/field/manifest.webmanifest").json()
    assert manifest["scope"] == "/field/" and manifest["display"] == "standalone"
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_admin_uploads_a_module_on_the_page(client: TestClient, db: Session) -> None:
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    web_login(client, admin.username)
    page = client.get("/field/admin/modules")
    assert page.status_code == 200 and "population" in page.text
    token = form_token(page.text)
    good = xlsx([["type", "name", "label"], ["text", "shop", "店名"]])
    response = client.post(
        "/field/admin/modules",
        data={"csrf_token": token},
        files={"file": ("tenth_module.xlsx", good)},
    )
    assert response.status_code == 200 and 'id="module-added"' in response.text
    broken = xlsx([["type", "name", "label"], ["text", "a", "A"], ["barcode", "b", "B"]])
    response = client.post(
        "/field/admin/modules", data={"csrf_token": token}, files={"file": ("b.xlsx", broken)}
    )
    assert 'id="module-error"' in response.text and "第 3 行" in response.text
    assert client.post("/field/admin/modules", files={"file": ("t.xlsx", good)}).status_code == 403


def test_supervisor_page_shows_duty_and_resolves_conflicts(
    client: TestClient, db: Session, grid, worker_headers: dict
) -> None:
    start = datetime.now(UTC) - timedelta(hours=1)
    uuid = new_uuid()
    client.post(
        "/api/v1/field/patrols",
        json={"uuid": uuid, "started_at": start.isoformat()},
        headers=worker_headers,
    )
    points = [
        {"t": (start + timedelta(seconds=30 * i)).isoformat(), "lng": INSIDE[0], "lat": INSIDE[1]}
        for i in range(61)
    ]
    client.post(
        f"/api/v1/field/patrols/{uuid}/points", json={"points": points}, headers=worker_headers
    )
    record = {
        "uuid": new_uuid(),
        "module": "disputes",
        "data": {
            "dispute_type": "family",
            "parties": 2,
            "risk": "low",
            "summary": "家庭矛盾需关注",
            "mediated": "no",
        },
    }
    client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)
    record["data"]["risk"] = "high"
    client.post("/api/v1/field/sync", json={"records": [record]}, headers=worker_headers)

    client.headers.pop("Authorization", None)
    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    web_login(client, supervisor.username)
    day = start.astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    page = client.get("/field/supervise", params={"day": day})
    assert page.status_code == 200
    assert "0.5 小时" in page.text and grid.code in page.text
    assert "data-conflict=" in page.text
    conflict_id = page.text.split('data-conflict="')[1].split('"')[0]
    response = client.post(
        f"/field/supervise/conflicts/{conflict_id}",
        data={"csrf_token": form_token(page.text), "resolution": "discard"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "data-conflict=" not in client.get("/field/supervise").text
