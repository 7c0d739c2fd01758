"""The closed loop through the API: intake, every move, the timeline, the trail, scope."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.case import Case, CaseStep
from tests.cases.helpers import GRID_A, GRID_B, POINT_A, POINT_B, Users, move, report


def test_full_loop_report_to_close(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    clerk, dispatcher, leader = (
        users(Role.INTAKE_CLERK),
        users(Role.DISPATCHER),
        users(Role.SHIFT_LEADER),
    )
    department, worker = users(Role.DEPARTMENT_HANDLER), users(Role.GRID_WORKER)
    case = report(client, clerk)
    assert case["state"] == "reported" and case["grid_code"] == GRID_A
    assert case["department_code"] == "HW" and case["step"] == "register"
    assert case["reporter_phone_masked"] == "138****5678"
    assert case["reporter_name_masked"] == "王**"
    assert case["deadline_status"] == "ok" and case["step_due_at"]
    cid = case["id"]
    assert "register" in case["moves"] and "dispatch" not in case["moves"]
    # The department does not see the case before it is dispatched to it.
    assert client.get(f"/api/v1/cases/{cid}", headers=department).status_code == 404
    assert move(client, clerk, cid, "register")["state"] == "registered"
    dispatched = move(client, dispatcher, cid, "dispatch")
    assert dispatched["state"] == "dispatched" and dispatched["step"] == "handle"
    assert move(client, department, cid, "accept")["state"] == "accepted"
    handled = move(client, department, cid, "feedback", note="已清运 / cleared")
    assert handled["state"] == "handled" and handled["step"] == "verify"
    # The grid worker of the case's grid sees it among the verifications waiting in the grid.
    waiting = client.get("/api/v1/cases", params={"state": "handled"}, headers=worker).json()
    assert [c["id"] for c in waiting["items"]] == [cid]
    assert (
        move(client, worker, cid, "verify", result="pass", note="现场已清理")["state"] == "verified"
    )
    closed = move(client, leader, cid, "close")
    assert closed["state"] == "closed" and closed["step"] is None and closed["closed_at"]
    detail = client.get(f"/api/v1/cases/{cid}", headers=leader).json()
    assert [e["move"] for e in detail["events"]] == [
        "report",
        "register",
        "dispatch",
        "accept",
        "feedback",
        "verify",
        "close",
    ]
    trail = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "case", AuditEntry.object_id == str(cid)
        )
    ).all()
    assert trail == [
        "case.report",
        "case.register",
        "case.dispatch",
        "case.accept",
        "case.feedback",
        "case.verify",
        "case.close",
    ]
    steps = db.scalars(
        select(CaseStep.step).where(CaseStep.case_id == cid).order_by(CaseStep.id)
    ).all()
    assert steps == ["register", "dispatch", "handle", "verify"]


def test_failed_verification_means_rework(client: TestClient, users: Users, city: dict) -> None:
    leader, department, worker = (
        users(Role.SHIFT_LEADER),
        users(Role.DEPARTMENT_HANDLER),
        users(Role.GRID_WORKER),
    )
    cid = report(client, users(Role.INTAKE_CLERK))["id"]
    move(client, leader, cid, "register")
    move(client, leader, cid, "dispatch")
    move(client, department, cid, "accept")
    move(client, department, cid, "feedback", note="done")
    move(client, worker, cid, "verify", result="fail", note="仍有垃圾")
    refused = move(client, leader, cid, "close", expect=400)
    assert "rework" in refused["message_en"]
    again = move(client, leader, cid, "rework", note="未清理干净")
    assert again["state"] == "dispatched" and again["rework_count"] == 1


def test_return_extension_hold_supervise(client: TestClient, users: Users, city: dict) -> None:
    leader, dispatcher, department = (
        users(Role.SHIFT_LEADER),
        users(Role.DISPATCHER),
        users(Role.DEPARTMENT_HANDLER),
    )
    cid = report(client, users(Role.INTAKE_CLERK))["id"]
    move(client, leader, cid, "register")
    sent = move(client, dispatcher, cid, "dispatch")
    # Decisions are offered only while a request waits for them.
    assert not {"approve_return", "reject_return", "approve_extension"} & set(sent["moves"])
    move(client, department, cid, "request_return", expect=400)  # a reason is required
    asked = move(client, department, cid, "request_return", note="不属于本部门")
    assert asked["state"] == "dispatched" and asked["pending_request"] == "return"
    assert "request_return" not in asked["moves"]
    seen = client.get(f"/api/v1/cases/{cid}", headers=dispatcher).json()
    assert {"approve_return", "reject_return"} <= set(seen["moves"])
    move(client, department, cid, "request_return", note="again", expect=409)
    move(client, department, cid, "approve_return", expect=403)  # not the department's call
    back = move(client, dispatcher, cid, "approve_return")
    assert back["state"] == "registered" and back["step"] == "dispatch"
    assert back["pending_request"] is None
    move(client, dispatcher, cid, "reject_return", expect=409)  # not dispatched any more
    before = move(client, dispatcher, cid, "dispatch")
    asked = move(client, department, cid, "request_extension", minutes=420, note="需采购配件")
    assert asked["extension_minutes_requested"] == 420
    move(client, department, cid, "request_extension", minutes=60, note="again", expect=409)
    approved = move(client, dispatcher, cid, "approve_extension")
    assert approved["extension_count"] == 1 and approved["extension_minutes_requested"] is None
    assert approved["step_due_at"] > before["step_due_at"]
    held = move(client, leader, cid, "hold", note="等待上级协调")
    assert held["state"] == "on_hold" and held["deadline_status"] == "paused"
    assert held["step_due_at"] is None
    resumed = move(client, leader, cid, "resume")
    assert resumed["state"] == "dispatched" and resumed["deadline_status"] in ("ok", "warning")
    assert move(client, leader, cid, "supervise", level=2)["supervision_level"] == 2
    supervised = client.get("/api/v1/cases", params={"supervised": True}, headers=leader).json()
    assert [c["id"] for c in supervised["items"]] == [cid]


def test_cancel_needs_a_reason_and_merge_marks_duplicates(
    client: TestClient, users: Users, city: dict
) -> None:
    clerk = users(Role.INTAKE_CLERK)
    first = report(client, clerk)
    second = report(client, clerk)
    assert [d["id"] for d in second["duplicate_candidates"]] == [first["id"]]
    far = report(client, clerk, point=POINT_B)
    assert far["duplicate_candidates"] == []
    # The clerk asks, the shift leader decides (REFERENCE: the shift leader approves cancellations).
    move(client, clerk, far["id"], "cancel", expect=403)
    move(client, clerk, far["id"], "request_cancel", expect=400)  # a reason is required
    move(client, clerk, far["id"], "request_cancel", note="重复来电")
    leader = users(Role.SHIFT_LEADER)
    refused = move(client, leader, far["id"], "reject_cancel")
    assert refused["state"] == "reported" and refused["pending_request"] is None
    move(client, leader, far["id"], "reject_cancel", expect=400)  # nothing pending any more
    move(client, leader, far["id"], "cancel", expect=400)  # on his own: a reason is required
    move(client, clerk, far["id"], "request_cancel", note="重复来电")
    assert move(client, leader, far["id"], "cancel")["state"] == "cancelled"
    merged = move(client, clerk, second["id"], "merge", target_case_id=first["id"])
    assert merged["state"] == "merged" and merged["merged_into_id"] == first["id"]
    # Closed/merged cases are no longer suggested.
    suggestions = client.get(
        "/api/v1/cases/duplicates",
        params={"category": "E0102", "lng": POINT_A[0], "lat": POINT_A[1]},
        headers=clerk,
    ).json()
    assert [d["id"] for d in suggestions] == [first["id"]]


def test_role_and_state_errors_leave_the_case_unchanged(
    client: TestClient, users: Users, db: Session, city: dict
) -> None:
    clerk = users(Role.INTAKE_CLERK)
    case = report(client, clerk)
    forbidden = move(client, users(Role.DISPATCHER), case["id"], "register", expect=403)
    assert forbidden["code"] == "forbidden"
    wrong_state = move(client, users(Role.SHIFT_LEADER), case["id"], "close", expect=409)
    assert wrong_state["state"] == "reported"
    unknown = client.post(f"/api/v1/cases/{case['id']}/teleport", json={}, headers=clerk)
    assert unknown.status_code == 422
    row = db.get(Case, case["id"])
    db.refresh(row)
    assert row is not None and row.state == "reported" and row.version == case["version"]


def test_department_of_another_unit_and_worker_of_another_grid_are_refused(
    client: TestClient, users: Users, city: dict
) -> None:
    leader = users(Role.SHIFT_LEADER)
    cid = report(client, users(Role.INTAKE_CLERK))["id"]
    move(client, leader, cid, "register")
    move(client, leader, cid, "dispatch")
    police = users(Role.DEPARTMENT_HANDLER, department_code="GA")
    move(client, police, cid, "accept", expect=404)
    department = users(Role.DEPARTMENT_HANDLER)
    move(client, department, cid, "accept")
    move(client, department, cid, "feedback", note="ok")
    other_worker = users(Role.GRID_WORKER, region_code=GRID_B)
    move(client, other_worker, cid, "verify", result="pass", expect=404)


def test_grid_worker_reports_only_in_own_grid(client: TestClient, users: Users, city: dict) -> None:
    worker = users(Role.GRID_WORKER)
    own = report(client, worker, channel="worker_app")
    assert own["channel"] == "worker_app"
    outside = report(client, worker, channel="worker_app", point=POINT_B, expect=403)
    assert outside["code"] == "forbidden"
    assert report(client, users(Role.AUDITOR), expect=403)["code"] == "forbidden"


def test_filters(client: TestClient, users: Users, city: dict) -> None:
    clerk, leader = users(Role.INTAKE_CLERK), users(Role.SHIFT_LEADER)
    a = report(client, clerk)
    b = report(client, clerk, category="E0503", point=POINT_B)
    move(client, leader, b["id"], "register")
    move(client, leader, b["id"], "dispatch")

    def ids(**params: object) -> list[int]:
        response = client.get("/api/v1/cases", params=params, headers=leader)
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["items"]]

    assert ids(state="reported") == [a["id"]]
    assert ids(state=["reported", "dispatched"]) == [b["id"], a["id"]]
    assert ids(category="E05") == [b["id"]]
    assert ids(grid=GRID_B) == [b["id"]]
    assert ids(grid=GRID_A[:12]) == [b["id"], a["id"]]
    assert ids(department="GA") == [b["id"]]
    assert ids(overdue=True) == []
    assert set(ids(overdue=False)) == {a["id"], b["id"]}
    police = users(Role.DEPARTMENT_HANDLER, department_code="GA")
    inbox = client.get("/api/v1/cases", headers=police).json()
    assert [c["id"] for c in inbox["items"]] == [b["id"]]
