"""The evaluation API: ranked scores in scope, drill-down, an appeal decided, rules refused."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.evaluation import service
from tests.evaluation.month import MONTH, Month
from tests.evaluation.test_rules import BAD
from tests.factories import auth_headers, create_user

MONTH_QUERY = {"period": "month", "anchor": "2026-12-15"}


def test_scores_drill_down_and_appeal_through_the_api(client: TestClient, db: Session) -> None:
    month = Month(db)
    service.score_period(db, principal=system_principal("test"), start=MONTH[0], end=MONTH[1])
    db.commit()
    leader = auth_headers(client, create_user(db, role=Role.LEADER))
    people = client.get(
        "/api/v1/evaluation/scores", params={"subject_type": "person", **MONTH_QUERY},
        headers=leader,
    ).json()  # fmt: skip
    # The worker of grid B earned no point: 100, first.
    assert [(p["subject_id"], p["total"], p["rank"]) for p in people] == [
        (str(month.other.id), 100.0, 1),
        (str(month.worker.id), 94.0, 2),
    ]
    departments = client.get(
        "/api/v1/evaluation/scores", params={"subject_type": "department", **MONTH_QUERY},
        headers=leader,
    ).json()  # fmt: skip
    # GA earned a credit (100.2); the departments without points share 100; HW is last.
    assert (departments[0]["subject_id"], departments[0]["rank"]) == ("GA", 1)
    assert (departments[-1]["subject_id"], departments[-1]["total"]) == ("HW", 96.1)
    assert {d["rank"] for d in departments[1:-1]} == {2}

    worker = auth_headers(client, month.worker)
    points = client.get(
        "/api/v1/evaluation/points",
        params={"subject_type": "person", "subject_id": str(month.worker.id), **MONTH_QUERY},
        headers=worker,
    ).json()
    late = next(p for p in points if p["event"] == "verify_late")
    assert late["detail"]["case_number"] == "EV0002"
    other = auth_headers(client, month.other)
    assert client.get(
        "/api/v1/evaluation/points",
        params={"subject_type": "person", "subject_id": str(month.worker.id), **MONTH_QUERY},
        headers=other,
    ).json() == []  # fmt: skip
    refused = client.post(
        "/api/v1/evaluation/appeals", json={"point_id": late["id"], "reason": "不是我的"},
        headers=other,
    )  # fmt: skip
    assert refused.status_code == 404
    appeal = client.post(
        "/api/v1/evaluation/appeals",
        json={"point_id": late["id"], "reason": "核查时系统离线，次日补传", "evidence": "离线记录"},
        headers=worker,
    )
    assert appeal.status_code == 201, appeal.text
    assert client.post(
        f"/api/v1/evaluation/appeals/{appeal.json()['id']}/decision",
        json={"uphold": True}, headers=worker,
    ).status_code == 403  # fmt: skip
    decided = client.post(
        f"/api/v1/evaluation/appeals/{appeal.json()['id']}/decision",
        json={"uphold": True, "note": "属实"}, headers=leader,
    )  # fmt: skip
    assert decided.json()["state"] == "upheld"
    people = client.get(
        "/api/v1/evaluation/scores", params={"subject_type": "person", **MONTH_QUERY},
        headers=leader,
    ).json()  # fmt: skip
    assert people[1]["total"] == 95.0


def test_rules_are_edited_by_the_centre_only_and_checked(client: TestClient, db: Session) -> None:
    leader = auth_headers(client, create_user(db, role=Role.LEADER))
    bad = client.put(
        "/api/v1/evaluation/rules", json={"text": BAD, "effective_from": "2026-12-01"},
        headers=leader,
    )  # fmt: skip
    assert bad.status_code == 400
    assert "line 7" in bad.text and "line 10" in bad.text
    current = client.get("/api/v1/evaluation/rules", headers=leader).json()
    assert current["version"] == 0 and "patrol_min_hours = 3" in current["text"]
    clerk = auth_headers(client, create_user(db, role=Role.DISPATCHER))
    assert client.put(
        "/api/v1/evaluation/rules", json={"text": current["text"], "effective_from": "2026-12-01"},
        headers=clerk,
    ).status_code == 403  # fmt: skip
    saved = client.put(
        "/api/v1/evaluation/rules", json={"text": current["text"], "effective_from": "2026-12-01"},
        headers=leader,
    )  # fmt: skip
    assert saved.json()["version"] == 1


def test_indicators_through_the_api(client: TestClient, db: Session) -> None:
    month = Month(db)
    leader = auth_headers(client, create_user(db, role=Role.LEADER))
    grids = client.get(
        "/api/v1/evaluation/indicators", params={"level": "grid", **MONTH_QUERY}, headers=leader
    ).json()
    assert [(g["key"], g["rank"], g["on_time_closure_rate"]) for g in grids] == [
        ("420502001001002", 1, 1.0),
        ("420502001001001", 2, 0.6667),
    ]
    workers = client.get(
        "/api/v1/evaluation/indicators/workers", params=MONTH_QUERY, headers=leader
    ).json()
    mine = next(w for w in workers if w["user_id"] == month.worker.id)
    assert (mine["duty_days"], mine["compliant_days"], mine["patrol_compliance"]) == (
        23,
        21,
        round(21 / 23, 4),
    )
    bad = client.get("/api/v1/evaluation/indicators", params={"level": "planet"}, headers=leader)
    assert bad.status_code == 422
