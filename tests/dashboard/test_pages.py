"""The ledger downloads page and the dashboard page as a signed-in person gets them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.dashboard import ledger_files
from tests.auth.test_pages import web_login
from tests.dashboard.conftest import D1
from tests.factories import create_user


def test_ledgers_page_offers_every_ledger_and_the_monthly_files(
    client: TestClient, db: Session, small_city, frozen, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(ledger_files, "ledger_dir", lambda: tmp_path)
    ledger_files.make_monthly(db, month=dt.date(2026, 11, 1), directory=tmp_path)
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=D1)
    web_login(client, staff.username)
    page = client.get(f"/ledgers?region={D1}")
    assert page.status_code == 200
    for kind in ("population", "special_population", "cases", "patrol", "scores", "proxy_services"):
        assert f'action="/api/v1/ledgers/{kind}.xlsx"' in page.text
    assert "网格人口统计台账_西陵区_20261130.xlsx" in page.text
    # Only the district's own monthly files (six ledgers), never the city's.
    assert page.text.count("/api/v1/ledgers/files/") == 6
    link = page.text.split('href="/api/v1/ledgers/files/')[1].split('"')[0]
    download = client.get(f"/api/v1/ledgers/files/{link}")
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_dashboard_page_is_for_leaders_not_grid_workers(client, db, small_city) -> None:  # type: ignore[no-untyped-def]
    leader = create_user(db, role=Role.LEADER)
    web_login(client, leader.username)
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert "网格化治理监督指挥大屏" in page.text and "markercluster" in page.text
    client.cookies.clear()
    worker = create_user(db, role=Role.GRID_WORKER)
    web_login(client, worker.username)
    assert client.get("/dashboard").status_code == 403
