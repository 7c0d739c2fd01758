"""The dashboard API: the numbers a leader reads, and what a district's staff may not read."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from tests.dashboard.conftest import D1, D2, G1, G2, G3, S1, SmallCity, _case
from tests.factories import auth_headers, create_user


def _leader(client: TestClient, db: Session) -> dict[str, str]:
    return auth_headers(client, create_user(db, role=Role.LEADER))


def test_overview_counts_the_city(client, db, small_city: SmallCity, frozen) -> None:  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/dashboard/overview?days=7", headers=_leader(client, db)).json()
    totals = body["totals"]
    assert totals["grids"] == 3
    assert totals["persons"] == 220
    assert totals["special_groups"] == 3
    # Open: case 3 (overdue), 4, 5 (overdue).
    assert (totals["open_cases"], totals["overdue_cases"]) == (3, 2)
    assert (totals["reported_today"], totals["closed_today"]) == (2, 0)
    series = body["series"]
    assert series["days"][-1] == "2026-12-06" and series["days"][-2] == "2026-12-05"
    # Yesterday from the daily aggregate, today live.
    assert series["channels"]["hotline"][-2:] == [2, 2]
    assert series["channels"]["web"][-2:] == [1, 0]
    assert series["reported"][-2:] == [3, 2]
    assert series["closed"][-2] == 2
    assert series["closure_rate"][-2] == round(2 / 3, 4)
    assert series["on_time_rate"][-2] == 0.5
    departments = {d["code"]: d for d in body["overdue_by_department"]}
    assert departments["HW"]["open"] == 2 and departments["HW"]["overdue"] == 1
    assert departments["GA"]["overdue"] == 1
    assert body["ranking"] == [{"code": "HW", "name": "环境卫生管理处", "closed": 2, "rate": 0.5}]


def test_closure_rate_is_the_share_of_a_days_cases_closed_by_now(  # type: ignore[no-untyped-def]
    client, db, small_city, frozen
) -> None:
    # Two days ago: one case, closed yesterday. Closures counted on the day they happen would
    # make two days ago 0 % and yesterday 3 / 3 = 100 %; by the day a case was reported, two
    # days ago is 1 / 1 and yesterday 2 / 3, and a day without reports has no rate.
    two_days_ago = frozen - timedelta(days=2)
    _case(db, 6, G1, state="closed", reported_at=two_days_ago, closed_at=frozen - timedelta(days=1))
    db.flush()
    series = client.get("/api/v1/dashboard/overview?days=7", headers=_leader(client, db)).json()[
        "series"
    ]
    assert series["closed"][-3:-1] == [0, 3]
    assert series["closure_rate"][-4:] == [None, 1.0, round(2 / 3, 4), 0.0]
    assert all(r is None or 0 <= r <= 1 for r in series["closure_rate"])


def test_map_indicator_per_child_region(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    headers = _leader(client, db)
    districts = client.get("/api/v1/dashboard/regions?indicator=persons", headers=headers).json()
    assert districts["level"] == "district"
    assert {i["code"]: i["value"] for i in districts["items"]} == {D1: 150, D2: 70}
    grids = client.get(
        f"/api/v1/dashboard/regions?indicator=overdue_cases&parent={G1[:12]}", headers=headers
    ).json()
    assert grids["level"] == "grid"
    assert {i["code"]: i["value"] for i in grids["items"]} == {G1: 1, G2: 0}
    facilities = client.get(
        f"/api/v1/dashboard/regions?indicator=facilities&parent={S1}", headers=headers
    ).json()
    assert facilities["items"] == [{"code": G1[:12], "name": "滨江社区", "value": 3}]
    bad = client.get("/api/v1/dashboard/regions?indicator=nonsense", headers=headers)
    assert bad.status_code == 400


def test_layers_and_grid_panel(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    headers = _leader(client, db)
    cameras = client.get("/api/v1/dashboard/facilities?kind=camera", headers=headers).json()
    assert len(cameras["points"]) == 2
    heat = client.get("/api/v1/dashboard/case-heat", headers=headers).json()
    assert sorted((p[0], p[3], p[4]) for p in heat["points"]) == [
        (G1, 1, 1),
        (G2, 1, 0),
        (G3, 1, 1),
    ]
    panel = client.get(f"/api/v1/dashboard/grids/{G1}", headers=headers).json()
    assert panel["name"] == "滨江一网格"
    assert [p["name"] for p in panel["path"]] == ["西陵区", "西陵街道", "滨江社区"]
    assert panel["counts"]["persons"] == 100
    assert (panel["open_cases"], panel["overdue_cases"]) == (1, 1)
    assert panel["cases"][0]["number"] == "T00000003" and panel["cases"][0]["overdue"] is True
    assert panel["patrol"] == {
        "sessions": 1, "seconds_inside": 3600, "running": True, "duty_met": False,
        "distance_m": 2500,
    }  # fmt: skip
    assert panel["facilities"] == {"camera": 1, "street_lamp": 1}
    assert panel["cameras"][0]["stream_url"] == "https://video.example/cam1.m3u8"


def test_district_staff_see_only_their_district(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=D1)
    headers = auth_headers(client, staff)
    body = client.get("/api/v1/dashboard/overview", headers=headers).json()
    assert body["totals"]["persons"] == 150
    assert (body["totals"]["open_cases"], body["totals"]["overdue_cases"]) == (2, 1)
    assert [d["code"] for d in body["overdue_by_department"]] == ["HW"]
    districts = client.get("/api/v1/dashboard/regions", headers=headers).json()
    assert [i["code"] for i in districts["items"]] == [D1]
    # The other district, its grid and a drill-down into it are simply not found.
    assert client.get(f"/api/v1/dashboard/grids/{G3}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/dashboard/overview?region={D2}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/dashboard/grids/{G2}", headers=headers).status_code == 200
    heat = client.get("/api/v1/dashboard/case-heat", headers=headers).json()
    assert G3 not in {p[0] for p in heat["points"]}


def test_roles_without_the_dashboard_are_refused(client, db, small_city) -> None:  # type: ignore[no-untyped-def]
    worker = create_user(db, role=Role.GRID_WORKER, region_code=G1)
    response = client.get("/api/v1/dashboard/overview", headers=auth_headers(client, worker))
    assert response.status_code == 403
    assert client.get("/api/v1/dashboard/overview").status_code == 401


def test_score_ranking_reads_the_evaluation(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from gridgov.models.evaluation import EvaluationPoint

    for n, (department, value) in enumerate((("HW", -4.0), ("GA", -1.0))):
        db.add(
            EvaluationPoint(
                day=date(2026, 12, 2), key=f"s{n}", event="step_overdue",
                subject_type="department", subject_id=department, points=value, rule_version=0,
                object_type="case_step", object_id=str(n), at=frozen, grid_code=G1,
            )
        )  # fmt: skip
    db.flush()
    body = client.get("/api/v1/dashboard/scores", headers=_leader(client, db)).json()
    assert (body["start"], body["end"]) == ("2026-11-06", "2026-12-05")
    assert [(i["name"], i["total"], i["rank"]) for i in body["items"]] == [
        ("公安局", 99.0, 1),
        ("环境卫生管理处", 96.0, 2),
    ]


def test_scheduled_refresh_fills_the_snapshot(db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from gridgov.authz.principal import system_principal
    from gridgov.jobs import registry
    from gridgov.models.dashboard import DashboardChannelDay, DashboardOpenCases

    jobs = registry.load_all()
    assert {"dashboard.refresh", "ledgers.monthly"} <= set(jobs)
    touched = jobs["dashboard.refresh"].function(db, system_principal("dashboard.refresh"), frozen)
    assert touched > 0
    assert db.scalar(select(func.sum(DashboardOpenCases.open_cases))) == 3
    assert db.scalar(select(func.sum(DashboardChannelDay.reported))) == 3  # yesterday's three
