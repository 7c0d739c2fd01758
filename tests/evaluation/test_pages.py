"""The evaluation pages: the month's rankings and the drill-down to the case step."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.evaluation import rules, service
from tests.auth.test_pages import form_token, web_login
from tests.evaluation.month import GRID_A, GRID_B, MONTH, Month
from tests.evaluation.test_rules import BAD
from tests.factories import create_user


def test_rankings_and_drill_down(client: TestClient, db: Session) -> None:
    Month(db)
    service.score_period(db, principal=system_principal("test"), start=MONTH[0], end=MONTH[1])
    db.commit()
    leader = create_user(db, role=Role.LEADER)
    web_login(client, leader.username)
    page = client.get("/evaluation", params={"month": "2026-12"})
    assert page.status_code == 200
    departments = page.text.split('id="ranking-department"')[1].split("</table>")[0]
    assert departments.index("GA") < departments.index("HW") and "94.1" not in departments
    assert "96.1" in departments  # HW under the default rules: 100 − 3.9
    detail = client.get(
        "/evaluation/points",
        params={"subject_type": "department", "subject_id": "HW", "month": "2026-12"},
    )
    assert detail.status_code == 200
    assert "处置超期完成" in detail.text and "EV0002" in detail.text
    assert "2026-12-11 17:00" in detail.text and "2026-12-14 10:00" in detail.text
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    web_login(client, admin.username)
    assert client.get("/evaluation").status_code == 403


def test_appeal_filed_and_decided_through_the_pages(client: TestClient, db: Session) -> None:
    month = Month(db)
    service.score_period(db, principal=system_principal("test"), start=MONTH[0], end=MONTH[1])
    db.commit()
    web_login(client, month.worker.username)
    mine = f"/evaluation/points?subject_type=person&subject_id={month.worker.id}&month=2026-12"
    page = client.get(mine)
    assert page.status_code == 200 and month.worker.username in page.text
    row = page.text.split('data-event="patrol_short"')[1].split("</tr>")[0]
    assert "本网格巡查 170 分钟（应 180 分钟）" in row
    point_id = int(page.text.split('data-event="patrol_short" id="point-')[1].split('"')[0])
    filed = client.post(
        f"/evaluation/points/{point_id}/appeal",
        data={
            "csrf_token": form_token(page.text),
            "back": mine,
            "reason": "区里临时抽调参加防汛会议",
            "evidence": "会议通知",
        },
        follow_redirects=False,
    )
    assert filed.status_code == 303 and filed.headers["location"] == mine
    assert "申诉待裁决" in client.get(mine).text

    leader = create_user(db, role=Role.LEADER)
    web_login(client, leader.username)
    appeals = client.get("/evaluation/appeals")
    assert "区里临时抽调参加防汛会议" in appeals.text and month.worker.username in appeals.text
    appeal_id = int(appeals.text.split('id="appeal-')[1].split('"')[0])
    decided = client.post(
        f"/evaluation/appeals/{appeal_id}/decision",
        data={"csrf_token": form_token(appeals.text), "decision": "uphold", "note": "属实"},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    ranking = client.get("/evaluation", params={"month": "2026-12"}).text
    people = ranking.split('id="ranking-person"')[1].split("</table>")[0]
    assert "95.0" in people and month.worker.username in people


def test_rules_page_refuses_a_bad_text_with_its_lines(client: TestClient, db: Session) -> None:
    leader = create_user(db, role=Role.LEADER)
    web_login(client, leader.username)
    page = client.get("/evaluation/rules")
    assert page.status_code == 200 and "patrol_min_hours = 3" in page.text
    bad = client.post(
        "/evaluation/rules",
        data={"csrf_token": form_token(page.text), "text": BAD, "effective_from": "2026-12-01"},
    )
    assert bad.status_code == 400
    assert (
        "第 7 行：grace_hours 不得为负数" in bad.text and "第 10 行：未知事件 case_lost" in bad.text
    )
    saved = client.post(
        "/evaluation/rules",
        data={
            "csrf_token": form_token(page.text),
            "text": rules.default_text().replace("base = 100", "base = 90"),
            "effective_from": "2026-12-01",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert service.rule_book_for(db, date(2026, 12, 2))[1].base == 90
    worker = create_user(db, role=Role.GRID_WORKER)
    web_login(client, worker.username)
    assert client.get("/evaluation/rules").status_code == 403


def test_indicators_page_ranks_grids_and_workers(client: TestClient, db: Session) -> None:
    month = Month(db)
    web_login(client, create_user(db, role=Role.LEADER).username)
    page = client.get(
        "/evaluation/indicators",
        params={"level": "grid", "period": "month", "anchor": "2026-12-15"},
    )
    assert page.status_code == 200
    assert "统计期间：2026-12-01 至 2026-12-31" in page.text
    table = page.text.split('id="indicators"')[1].split("</table>")[0]
    # Grid B: 1 dispatched, closed on time (100 %), first; grid A: 3 dispatched, case 2 handled
    # late (2 of 3 on time: 66.7 %), case 3 reworked (1 of 3 handled: 33.3 %).
    assert table.index(GRID_B) < table.index(GRID_A)
    row_a = table.split(f'data-key="{GRID_A}"')[1].split("</tr>")[0]
    assert "<td>2</td>" in row_a and "66.7%" in row_a and "33.3%" in row_a
    people = client.get(
        "/evaluation/indicators",
        params={"level": "person", "period": "month", "anchor": "2026-12-15"},
    )
    table = people.text.split('id="indicators"')[1].split("</table>")[0]
    # 23 duty days in December 2026; the worker of grid A patrolled short on two of them
    # (21/23 = 91.3 %) and verified one of two cases on time (50 %); grid B's worker: 100 %.
    other = table.split(f'data-key="{month.other.id}"')[1].split("</tr>")[0]
    mine = table.split(f'data-key="{month.worker.id}"')[1].split("</tr>")[0]
    assert table.index(f'data-key="{month.other.id}"') < table.index(
        f'data-key="{month.worker.id}"'
    )
    assert "<td>23</td>" in other and "100.0%" in other
    assert "<td>21</td>" in mine and "91.3%" in mine and "50.0%" in mine
    assert client.get("/evaluation/indicators", params={"level": "city"}).status_code == 422


def test_list_pages_offer_their_ledger_to_ledger_readers(client: TestClient, db: Session) -> None:
    web_login(client, create_user(db, role=Role.LEADER).username)
    page = client.get("/evaluation", params={"month": "2026-12"})
    link = "/api/v1/ledgers/scores.xlsx?start=2026-12-01&end=2026-12-31"
    assert link in page.text
    download = client.get(link)
    assert download.status_code == 200 and download.content[:2] == b"PK"
    indicators = client.get(
        "/evaluation/indicators", params={"period": "week", "anchor": "2026-12-09"}
    )
    assert "/api/v1/ledgers/cases.xlsx?start=2026-12-07&end=2026-12-13" in indicators.text
    # A grid worker reads the evaluation but no ledger: no link.
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    web_login(client, worker.username)
    assert "ledger-link" not in client.get("/evaluation", params={"month": "2026-12"}).text
