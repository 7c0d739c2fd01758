"""Issue 16, operations: one JSON line per request without personal data, and ``/metrics``."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from tests.factories import auth_headers, create_user

ID_NUMBER = "42050219930517209X"


def test_request_log_is_json_without_personal_data(
    client: TestClient, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF)
    headers = auth_headers(client, staff)
    with caplog.at_level(logging.INFO, logger="gridgov.requests"):
        caplog.handler.setLevel(logging.INFO)
        logging.getLogger("gridgov.requests").addHandler(caplog.handler)
        try:
            response = client.get(
                "/api/v1/persons",
                params={"q": ID_NUMBER},
                headers={**headers, "x-request-id": "r1"},
            )
        finally:
            logging.getLogger("gridgov.requests").removeHandler(caplog.handler)
    assert response.status_code == 200
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "gridgov.requests"]
    [line] = [entry for entry in lines if entry["request_id"] == "r1"]
    assert line["route"] == "/api/v1/persons" and line["method"] == "GET"
    assert line["status"] == 200 and line["duration_ms"] >= 0
    assert line["principal"] == f"user:{staff.id}/community_staff"
    assert ID_NUMBER not in json.dumps(lines) and staff.username not in json.dumps(line)


def fresh_app(fresh_database_url: Any, tmp_path: Path, **settings: Any) -> FastAPI:
    from gridgov.app import create_app

    url = fresh_database_url("sqlite")
    return create_app(Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path, **settings))


def test_metrics_for_prometheus(fresh_database_url: Any, tmp_path: Path) -> None:
    app = fresh_app(fresh_database_url, tmp_path)
    with TestClient(app, client=("127.0.0.1", 5000)) as local:
        local.get("/login")
        local.get("/api/v1/cases/999999999")
        body = local.get("/metrics").text
    assert 'gridgov_http_requests_total{method="GET",route="/login",status="200"}' in body
    assert 'route="/api/v1/cases/{case_id}",status="401"' in body
    assert "gridgov_http_request_duration_seconds_bucket" in body
    assert "gridgov_field_sync_conflicts_open 0.0" in body
    assert "gridgov_field_uploads_pending 0.0" in body
    with TestClient(app, client=("203.0.113.5", 5000)) as remote:
        assert remote.get("/metrics").status_code == 403


def test_metrics_token(fresh_database_url: Any, tmp_path: Path) -> None:
    app = fresh_app(fresh_database_url, tmp_path, metrics_token="s3cret-token")
    with TestClient(app, client=("203.0.113.5", 5000)) as remote:
        assert remote.get("/metrics").status_code == 403
        good = remote.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert good.status_code == 200 and "gridgov_http_requests_total" in good.text
