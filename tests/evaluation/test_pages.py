"""The evaluation pages: the month's rankings and the drill-down to the case step."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.evaluation import service
from tests.auth.test_pages import web_login
from tests.evaluation.month import MONTH, Month
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
