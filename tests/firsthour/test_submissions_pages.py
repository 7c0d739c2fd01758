"""The supervisors' submissions browser: table, filters, one record, CSV/Excel, scope."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.audit import AuditEntry
from gridgov.models.field_submission import FieldSubmission
from tests.auth.test_pages import web_login
from tests.cases.conftest import _fresh_caches, city  # noqa: F401 (fixtures)
from tests.cases.helpers import GRID_A, GRID_B
from tests.factories import create_user


def _record(db: Session, user_id: int, grid: str, module: str, day: int, data: dict) -> int:
    row = FieldSubmission(
        uuid=str(uuid.uuid4()),
        content_hash="x" * 64,
        kind="form",
        module_code=module,
        user_id=user_id,
        grid_code=grid,
        data=data,
        lng=111.005,
        lat=30.005,
        collected_at=datetime(2026, 12, day, 2, tzinfo=UTC),
        received_at=datetime(2026, 12, day, 3, tzinfo=UTC),
        state="stored",
    )
    db.add(row)
    db.flush()
    return row.id


def test_community_staff_browse_filter_open_and_export(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
) -> None:
    worker_a = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    worker_b = create_user(db, role=Role.GRID_WORKER, region_code=GRID_B)
    first = _record(db, worker_a.id, GRID_A, "01_population", 1, {"name": "张三", "age": 71})
    _record(db, worker_a.id, GRID_A, "03_environment", 2, {"issue": "垃圾"})
    _record(db, worker_b.id, GRID_B, "01_population", 3, {"name": "李四"})
    _record(db, worker_b.id, "420599001001001", "01_population", 3, {"name": "外区"})
    db.commit()
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    web_login(client, staff.username)

    page = client.get("/field/submissions")
    assert page.status_code == 200
    assert page.text.count("<tr data-id=") == 3  # not the one outside the community
    only_a = client.get(
        "/field/submissions", params={"worker": worker_a.id, "module": "01_population"}
    )
    assert only_a.text.count("<tr data-id=") == 1 and f'data-id="{first}"' in only_a.text
    by_day = client.get("/field/submissions", params={"start": "2026-12-02", "end": "2026-12-03"})
    assert by_day.text.count("<tr data-id=") == 2
    by_grid = client.get("/field/submissions", params={"grid": GRID_B})
    assert by_grid.text.count("<tr data-id=") == 1

    one = client.get(f"/field/submissions/{first}")
    assert one.status_code == 200 and "张三" in one.text and "71" in one.text
    viewed = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "field_submission.view", AuditEntry.object_id == str(first)
        )
    )
    assert viewed is not None

    exported = client.get("/field/submissions.csv", params={"grid": GRID_A})
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "module", "worker"] and len(rows) == 3
    assert "张三" in exported.text
    book = load_workbook(io.BytesIO(client.get("/field/submissions.xlsx").content))
    assert book.active is not None and book.active.max_row == 4  # head + 3 records

    outside = db.scalar(
        select(FieldSubmission.id).where(FieldSubmission.grid_code == "420599001001001")
    )
    assert client.get(f"/field/submissions/{outside}").status_code == 404


def test_workers_and_administrators_do_not_browse(client: TestClient, db: Session) -> None:
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    web_login(client, admin.username)
    assert client.get("/field/submissions").status_code == 403


def test_a_task_result_reads_in_words(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
) -> None:
    """The phone's verification result: its fields and its result in the reader's language."""
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    record = _record(db, worker.id, GRID_A, "", 4, {"result": "pass", "note": "现场已清理"})
    db.execute(
        FieldSubmission.__table__.update()
        .where(FieldSubmission.id == record)
        .values(kind="task_result", module_code=None)
    )
    db.commit()
    web_login(client, create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12]).username)
    page = client.get(f"/field/submissions/{record}").text
    assert "核查结论" in page and "通过" in page and "现场已清理" in page
    assert ">result<" not in page and ">pass<" not in page
    english = client.get(f"/field/submissions/{record}", params={"lang": "en"}).text
    assert "Verification result" in english and "Passed" in english
