"""Issue 16 items 3 and 4: security headers on every response, only configured hosts answered
(no Host reflected into asset URLs), and no personal data in the access log."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.app import create_app
from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from gridgov.kit.security import AccessLogMasker, mask_target
from tests.factories import auth_headers, create_user


def test_pages_and_api_carry_the_security_headers(client: TestClient, db: Session) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' 'unsafe-hashes'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in page.headers  # plain HTTP

    staff = create_user(db, role=Role.COMMUNITY_STAFF)
    persons = client.get("/api/v1/persons", headers=auth_headers(client, staff))
    assert persons.status_code == 200
    assert persons.headers["cache-control"] == "no-store"
    assert persons.headers["x-content-type-options"] == "nosniff"

    static = client.get("/static/app.css")
    assert static.status_code == 200 and "no-store" not in static.headers.get("cache-control", "")


def test_hsts_over_tls(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/login")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")


def test_only_configured_hosts_are_answered(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        mode=Mode.TEST,
        database_url=database_url,
        media_dir=tmp_path,
        allowed_hosts="grid.example.cn",
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://grid.example.cn") as client:
        good = client.get("/login")
        evil = client.get("/login", headers={"host": "evil.example"})
    assert good.status_code == 200
    assert 'href="http://grid.example.cn/static/app.css"' in good.text
    assert evil.status_code == 400
    assert "evil.example" not in evil.text


def test_production_answers_only_this_machine_by_default(tmp_path: Path) -> None:
    from gridgov.kit.security import allowed_hosts

    settings = Settings(mode=Mode.PRODUCTION, media_dir=tmp_path, host="10.0.0.5")
    assert allowed_hosts(settings) == ["localhost", "127.0.0.1", "::1", "10.0.0.5"]
    assert allowed_hosts(Settings(mode=Mode.DEMO)) == ["*"]


def test_access_log_masks_personal_data() -> None:
    assert mask_target("/api/v1/persons?q=42050219930517209X&limit=20") == (
        "/api/v1/persons?q=***&limit=20"
    )
    assert mask_target("/api/v1/persons?id_number=42050219930517209X&phone=13800001234") == (
        "/api/v1/persons?id_number=***&phone=***"
    )
    # A number in an unexpected parameter or in the path is masked all the same.
    assert mask_target("/x/13800001234?note=42050219930517209X") == (
        "/x/138****1234?note=420502********209X"
    )
    assert mask_target("/api/v1/grids/420502001001001") == "/api/v1/grids/420502001001001"
    # Percent-encoded digits are what the app reads: masked all the same, and a decoded
    # newline stays encoded in the line.
    encoded = "".join(f"%{ord(c):02X}" for c in "42050219930517209X")
    assert mask_target(f"/track/{encoded}") == "/track/420502********209X"
    assert mask_target("/track/139%2012345678") == "/track/139%20****5678"
    assert mask_target("/track/%E5%BC%A0%0Ax") == "/track/%E5%BC%A0%0Ax"

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/persons?q=%E9%99%88%E6%A1%82%E8%8B%B1", "1.1", 200),
        None,
    )
    assert AccessLogMasker().filter(record)
    line = record.getMessage()
    assert line == '127.0.0.1:5000 - "GET /api/v1/persons?q=*** HTTP/1.1" 200'


def test_the_app_installs_the_masker_on_uvicorns_logger(app) -> None:  # type: ignore[no-untyped-def]
    logger = logging.getLogger("uvicorn.access")
    assert any(isinstance(f, AccessLogMasker) for f in logger.filters)
