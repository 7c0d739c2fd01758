"""The jobs of the base domains: deadline flags, and the admin page that shows every run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.jobs.builtin import flag_deadlines
from gridgov.models.audit import AuditEntry
from gridgov.models.case import Case
from gridgov.models.job import DeadlineFlag, JobRun
from gridgov.models.lifecycle import ProxyService
from gridgov.models.task import Task
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)
GRID = "420502001001001"


def _case(db: Session, number: str, *, warn: datetime, due: datetime) -> Case:
    case = Case(
        number=number,
        channel="web",
        state="dispatched",
        description="井盖缺失",
        grid_code=GRID,
        department_code=None,
        reported_at=NOW - timedelta(days=2),
        step="handle",
        step_started_at=NOW - timedelta(days=1),
        step_warn_at=warn,
        step_due_at=due,
    )
    db.add(case)
    db.flush()
    return case


def test_deadline_flags_are_raised_once_per_step_and_go_to_the_trail(db: Session) -> None:
    warned = _case(db, "T-W", warn=NOW - timedelta(hours=1), due=NOW + timedelta(hours=3))
    overdue = _case(db, "T-O", warn=NOW - timedelta(hours=5), due=NOW - timedelta(minutes=1))
    _case(db, "T-OK", warn=NOW + timedelta(hours=1), due=NOW + timedelta(hours=4))
    task = Task(
        kind="verify",
        title="入户核实",
        grid_code=GRID,
        state="open",
        due_at=NOW - timedelta(hours=1),
    )
    # A proxy service (代办) opened 10 days ago, due in 2: 70 % of its time has passed.
    proxy = ProxyService(
        service_code="newborn_hukou",
        person_id=1,
        grid_code=GRID,
        department_code="police",
        state="open",
        due_at=NOW + timedelta(days=2),
        documents=[],
    )
    db.add_all([task, proxy])
    db.flush()
    task.created_at = NOW - timedelta(days=3)
    proxy.created_at = NOW - timedelta(days=10)
    db.flush()
    principal = system_principal("deadlines.flag")

    assert flag_deadlines(db, principal, NOW) == 6
    flags = {
        (f.object_type, f.object_id, f.kind)
        for f in db.scalars(select(DeadlineFlag).where(DeadlineFlag.flagged_at == NOW))
    }
    assert flags == {
        ("case", warned.id, "warning"),
        ("case", overdue.id, "warning"),
        ("case", overdue.id, "overdue"),
        ("task", task.id, "warning"),
        ("task", task.id, "overdue"),
        ("proxy", proxy.id, "warning"),
    }
    trail = db.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "case", AuditEntry.object_id == str(overdue.id)
        )
    ).all()
    assert sorted(trail) == ["case.deadline.overdue", "case.deadline.warning"]
    # The next run raises nothing new; a rework (new step start) can be flagged again.
    assert flag_deadlines(db, principal, NOW + timedelta(minutes=5)) == 0
    overdue.step_started_at = NOW
    db.flush()
    assert flag_deadlines(db, principal, NOW + timedelta(minutes=10)) == 2
    # Two days later the proxy service is overdue (and the two other cases' deadlines passed).
    assert flag_deadlines(db, principal, NOW + timedelta(days=2)) == 4
    proxy_flags = db.scalars(
        select(DeadlineFlag.kind).where(
            DeadlineFlag.object_type == "proxy", DeadlineFlag.object_id == proxy.id
        )
    ).all()
    assert sorted(proxy_flags) == ["overdue", "warning"]
    proxy.state = "done"
    db.flush()
    assert flag_deadlines(db, principal, NOW + timedelta(days=3)) == 0


def _run(db: Session, job: str, **values: object) -> JobRun:
    run = JobRun(job=job, kind="schedule", owner="host:1:ab", started_at=NOW, **values)
    db.add(run)
    db.commit()
    return run


def test_admin_page_and_api_show_runs_with_rows_and_errors(client: TestClient, db: Session) -> None:
    _run(db, "stats.refresh", finished_at=NOW, rows=1110, due_at=NOW)
    _run(db, "deadlines.flag", finished_at=NOW, error="ValueError: 数据库不可用")
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    web_login(client, admin.username)
    page = client.get("/jobs")
    assert page.status_code == 200
    assert "stats.refresh" in page.text and "1110" in page.text
    assert "ValueError: 数据库不可用" in page.text
    assert "每天 01:00" in page.text and "每 5 分钟" in page.text
    only = client.get("/jobs", params={"job": "stats.refresh"}).text
    assert "数据库不可用" not in only.split('id="runs"')[1]

    headers = auth_headers(client, admin)
    jobs = {j["name"]: j for j in client.get("/api/v1/jobs", headers=headers).json()}
    assert {"audit.seal", "deadlines.flag", "stats.refresh"} <= set(jobs)
    assert jobs["stats.refresh"]["last_run"]["rows"] == 1110
    runs = client.get("/api/v1/jobs/runs", params={"job": "deadlines.flag"}, headers=headers)
    assert [r["error"] for r in runs.json()] == ["ValueError: 数据库不可用"]


def test_jobs_are_for_the_system_administrator_only(client: TestClient, db: Session) -> None:
    clerk = create_user(db, role=Role.INTAKE_CLERK)
    assert client.get("/api/v1/jobs", headers=auth_headers(client, clerk)).status_code == 403
    web_login(client, clerk.username)
    assert client.get("/jobs").status_code == 403
