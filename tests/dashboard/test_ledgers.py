"""Ledgers as a department receives them: open the workbook, read headers, rows, print setup."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.dashboard import ledger_files
from gridgov.models.audit import AuditEntry
from tests.dashboard.conftest import D1, D2, G1, G2, G3, TODAY
from tests.factories import auth_headers, create_user


def _get(client: TestClient, headers: dict[str, str], url: str) -> list[tuple]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_population_ledger_of_a_district(client, db: Session, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(client, create_user(db, role=Role.LEADER))
    response = client.get(f"/api/v1/ledgers/population.xlsx?region={D1}", headers=headers)
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "网格人口统计台账"
    assert rows[1][0] == "单位：西陵区" and rows[1][3] == f"统计期间：截至 {TODAY.isoformat()}"
    assert rows[2][:8] == ("序号", "区", "街道", "社区", "网格编码", "网格名称", "户数", "实有人口")
    assert [(r[0], r[4], r[5], r[7]) for r in rows[3:]] == [
        (1, G1, "滨江一网格", 100),
        (2, G2, "滨江二网格", 50),
    ]
    # Printable: A4 landscape, one page wide, the header row on every page, title merged.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert "A1:P1" in {str(r) for r in sheet.merged_cells.ranges}


def test_cases_ledger_by_unit_for_a_period(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    headers = auth_headers(client, create_user(db, role=Role.LEADER))
    rows = _get(client, headers, "/api/v1/ledgers/cases.xlsx?start=2026-12-01&end=2026-12-06")
    assert rows[1][3] == "统计期间：2026-12-01 至 2026-12-06"
    assert rows[2][1] == "责任单位"
    body = {r[1]: r[2:] for r in rows[3:]}
    # HW: 4 reported, 2 closed (1 on time), 50 % / 50 %, 2 open of which 1 overdue.
    assert body["环境卫生管理处"] == (4, 2, 1, "50.0%", "50.0%", 0, 0, 2, 1)
    assert body["公安局"] == (1, 0, 0, "0.0%", "—", 0, 0, 1, 1)
    missing = client.get("/api/v1/ledgers/cases.xlsx", headers=headers)
    assert missing.status_code == 400


def test_special_population_and_patrol_ledgers(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=D1)
    headers = auth_headers(client, staff)
    special = _get(client, headers, "/api/v1/ledgers/special_population.xlsx")
    assert [(r[1], r[2], r[5], r[6]) for r in special[3:]] == [
        (G1, "居民0", "4205**********0000", "吸毒人员")
    ]
    patrol = _get(client, headers, f"/api/v1/ledgers/patrol.xlsx?start={TODAY}&end={TODAY}")
    assert patrol[2][1:4] == ("网格编码", "网格名称", "网格员")
    assert patrol[3:] == [(1, G1, "滨江一网格", "patrolworker", "2026-12-06", 1, 1.0, 2.5, "否")]
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.generate")).all()
    assert {e.object_id for e in entries} >= {"special_population", "patrol"}


def test_a_region_outside_the_scope_is_not_found(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=D1)
    headers = auth_headers(client, staff)
    assert (
        client.get(f"/api/v1/ledgers/population.xlsx?region={D2}", headers=headers).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/ledgers/population.xlsx?region={G3}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/ledgers/nothing.xlsx", headers=headers).status_code == 404
    # Without a region a district's staff get their district, never the city.
    rows = _get(client, headers, "/api/v1/ledgers/population.xlsx")
    assert rows[1][0] == "单位：西陵区"
    worker = create_user(db, role=Role.GRID_WORKER, region_code=G1)
    refused = client.get("/api/v1/ledgers/population.xlsx", headers=auth_headers(client, worker))
    assert refused.status_code == 403


def test_monthly_ledgers_are_listed_in_scope(
    client, db, small_city, frozen, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    made = ledger_files.make_monthly(db, month=dt.date(2026, 11, 1), directory=tmp_path)
    assert len(made) == 3 * 6  # city + two districts, six ledgers each
    assert (tmp_path / f"202611_{D1}_population.xlsx").exists()
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=D1)
    listing = client.get("/api/v1/ledgers", headers=auth_headers(client, staff)).json()
    assert {f["region_code"] for f in listing["files"]} == {D1}
    assert {k["kind"] for k in listing["kinds"]} == {
        "population",
        "special_population",
        "cases",
        "patrol",
        "scores",
        "proxy_services",
    }


def test_scores_ledger_ranks_departments_then_workers(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from gridgov.models.evaluation import EvaluationPoint

    worker = create_user(db, role=Role.GRID_WORKER, region_code=G1, username="scoredworker")
    points = [  # (subject type, subject, points, waived, grid)
        ("department", "HW", -2.0, False, G1),
        ("department", "HW", -1.0, True, G1),  # struck out by an upheld appeal
        ("department", "GA", -3.0, False, G3),
        ("department", "GA", 1.0, False, G3),
        ("person", str(worker.id), -0.5, False, G1),
    ]
    for n, (kind, subject, value, waived, grid) in enumerate(points):
        db.add(
            EvaluationPoint(
                day=date(2026, 12, 3), key=f"t{n}", event="step_overdue", subject_type=kind,
                subject_id=subject, points=value, waived=waived, rule_version=0,
                object_type="case_step", object_id=str(n), at=frozen, grid_code=grid,
            )
        )  # fmt: skip
    db.flush()
    headers = auth_headers(client, create_user(db, role=Role.LEADER))
    rows = _get(client, headers, "/api/v1/ledgers/scores.xlsx?start=2026-12-01&end=2026-12-05")
    assert rows[2][1:] == (
        "考核对象",
        "名称",
        "基础分",
        "扣分",
        "加分",
        "得分",
        "计分事件数",
        "排名",
    )
    assert [r[1:] for r in rows[3:]] == [
        # Equal totals share the rank.
        ("部门", "公安局", 100, -3.0, 1.0, 98.0, 2, 1),
        ("部门", "环境卫生管理处", 100, -2.0, 0.0, 98.0, 2, 1),
        ("网格员", "scoredworker", 100, -0.5, 0.0, 99.5, 1, 1),
    ]
    # A district's ledger holds only the points of its grids.
    rows = _get(
        client, headers, f"/api/v1/ledgers/scores.xlsx?region={D1}&start=2026-12-01&end=2026-12-05"
    )
    assert [r[2] for r in rows[3:]] == ["环境卫生管理处", "scoredworker"]


def test_proxy_services_ledger_of_a_period(client, db, small_city, frozen) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from gridgov.models.lifecycle import ProxyService
    from gridgov.models.person import Person

    resident = db.scalars(select(Person).where(Person.name == "居民0")).one()

    def service(grid, code, opened, due, closed=None, state="open", handed=None):  # type: ignore[no-untyped-def]
        db.add(
            ProxyService(
                service_code=code, person_id=resident.id, grid_code=grid, department_code="GA",
                state=state, due_at=due, documents=[], created_at=opened, closed_at=closed,
                handed_over_at=handed, result="已办结" if closed else None,
            )
        )  # fmt: skip

    def utc(day: int, hour: int, month: int = 12):  # type: ignore[no-untyped-def]
        return datetime(2026, month, day, hour, tzinfo=UTC)

    # Closed before the period: not in it.
    service(G1, "birth_registration", utc(20, 1, 11), utc(27, 1, 11), utc(26, 1, 11), "done")
    # Opened before, closed a day late inside the period.
    service(G1, "birth_registration", utc(28, 1, 11), utc(2, 2), utc(3, 2), "done")
    # Opened in the period: one open and not yet due, one handed over and past its deadline.
    service(G1, "maternity_allowance", utc(2, 1), utc(9, 1))
    service(G2, "maternity_allowance", utc(3, 1), utc(4, 1), state="handed_over", handed=utc(3, 5))
    service(G1, "birth_registration", utc(1, 1), utc(8, 1), state="cancelled")
    service(G3, "birth_registration", utc(4, 1), utc(20, 1))  # the other district
    db.flush()

    headers = auth_headers(client, create_user(db, role=Role.LEADER))
    rows = _get(
        client, headers, "/api/v1/ledgers/proxy_services.xlsx?start=2026-12-01&end=2026-12-06"
    )
    assert rows[0][0] == "代办服务台账"
    assert rows[1][3] == "统计期间：2026-12-01 至 2026-12-06"
    assert rows[2] == (
        "序号", "网格编码", "网格名称", "代办事项", "居民", "证件号码", "承办部门", "开启时间",
        "办理时限", "移交时间", "办结时间", "状态", "是否超期", "办理结果",
    )  # fmt: skip
    body = [(r[0], r[1], r[3], r[4], r[5], r[6], r[7], r[8], r[10], r[11], r[12]) for r in rows[3:]]
    # Times in Beijing (UTC+8); sorted by grid, then opening time.
    assert body == [
        (1, G1, "出生登记及首次申领身份证", "居民0", "4205**********0000", "公安局",
         "2026-11-28 09:00", "2026-12-02 10:00", "2026-12-03 10:00", "已办结", "超期办结"),
        (2, G1, "出生登记及首次申领身份证", "居民0", "4205**********0000", "公安局",
         "2026-12-01 09:00", "2026-12-08 09:00", None, "已撤销", "—"),
        (3, G1, "生育津贴申领", "居民0", "4205**********0000", "公安局",
         "2026-12-02 09:00", "2026-12-09 09:00", None, "在办", "在办"),
        (4, G2, "生育津贴申领", "居民0", "4205**********0000", "公安局",
         "2026-12-03 09:00", "2026-12-04 09:00", None, "已移交部门", "已超期"),
        (5, G3, "出生登记及首次申领身份证", "居民0", "4205**********0000", "公安局",
         "2026-12-04 09:00", "2026-12-20 09:00", None, "在办", "在办"),
    ]  # fmt: skip
    assert rows[6][9] == "2026-12-03 13:00"  # handed over
    # A district's staff get their district only; another district is a 404.
    staff = auth_headers(client, create_user(db, role=Role.DISTRICT_STAFF, region_code=D1))
    mine = _get(
        client, staff, "/api/v1/ledgers/proxy_services.xlsx?start=2026-12-01&end=2026-12-06"
    )
    assert [r[1] for r in mine[3:]] == [G1, G1, G1, G2]
    outside = client.get(
        f"/api/v1/ledgers/proxy_services.xlsx?region={D2}&start=2026-12-01&end=2026-12-06",
        headers=staff,
    )
    assert outside.status_code == 404
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "ledger.generate", AuditEntry.object_id == "proxy_services"
        )
    ).first()
    assert entry is not None and entry.after["rows"] == 5
