"""Calling a reporter back: the full phone for the centre and the handling department, with a
purpose, in the trail; everyone else sees the mask."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from tests.cases.helpers import Users, report


def test_full_phone_with_a_purpose_for_the_centre_only(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    case = report(client, users(Role.INTAKE_CLERK))
    assert case["reporter_phone_masked"] == "138****5678"
    url = f"/api/v1/cases/{case['id']}/reporter-phone"

    dispatcher = users(Role.DISPATCHER)
    answer = client.post(url, json={"purpose": "回访报告人核实位置"}, headers=dispatcher)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"phone": "13812345678"}
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "personal_data.view_full", AuditEntry.object_id == str(case["id"])
        )
    )
    assert entry is not None
    assert (entry.object_type, entry.purpose) == ("case", "回访报告人核实位置")
    assert "13812345678" not in str(entry.after) + str(entry.before) + str(entry.note)

    assert client.post(url, json={}, headers=dispatcher).status_code == 422  # no purpose
    for role in (Role.LEADER, Role.GRID_WORKER, Role.COMMUNITY_STAFF):
        refused = client.post(url, json={"purpose": "想看看号码"}, headers=users(role))
        assert refused.status_code in (403, 404), (role, refused.text)
        assert "13812345678" not in refused.text


def test_a_case_without_a_phone_answers_none(client: TestClient, users: Users, city: dict) -> None:
    clerk = users(Role.INTAKE_CLERK)
    case = report(client, clerk, reporter_phone=None)
    answer = client.post(
        f"/api/v1/cases/{case['id']}/reporter-phone", json={"purpose": "回访报告人"}, headers=clerk
    )
    assert answer.status_code == 200
    assert answer.json() == {"phone": None}
