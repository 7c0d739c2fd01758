"""Issue 16 items 2 and 7: uploaded spreadsheets are opened safely — bounded before parsing,
every unreadable file answered with a clear message about the file, parsed outside the
request's transaction (SQLite: never while holding the write lock)."""

from __future__ import annotations

import io
import sqlite3
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy.orm import Session

from gridgov.app import create_app
from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from gridgov.kit.db import make_engine
from gridgov.kit.files import FileLimits, FileRejected, read_table
from gridgov.people import importer
from gridgov.sources import pages as source_pages
from tests.auth.test_pages import form_token, web_login
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A
from tests.sources.conftest import register

ID_1 = "11010519491231002X"


def workbook_bytes(fill: Any) -> bytes:
    book = Workbook()
    fill(book.active)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@cache
def zip_bomb() -> bytes:
    """A valid-looking workbook directory with one part inflating to 64 MB (~64 KB on disk)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (64 * 1024 * 1024))
    return out.getvalue()


def not_a_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


def far_row(sheet: Any) -> None:
    sheet["A1"] = "姓名"
    sheet.cell(row=1_048_576, column=2, value="x")  # declares A1:B1048576


def wide_row(sheet: Any) -> None:
    sheet["A1"] = "姓名"
    sheet.cell(row=2, column=16_384, value="x")  # declares A1:XFD2


BAD_FILES = {
    "zip bomb": ("p.xlsx", zip_bomb(), "MB"),
    "a million rows declared": ("p.xlsx", workbook_bytes(far_row), "100000"),
    "16 k columns declared": ("p.xlsx", workbook_bytes(wide_row), "200"),
    "not a zip": ("p.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "Excel"),
    "zip, no workbook": ("p.xlsx", not_a_workbook(), "工作簿"),
    "neither UTF-8 nor GB18030": (
        "p.csv",
        "身份证号,姓名\n".encode() + b"\xff\xfe\x80\n",
        "GB18030",
    ),
    "field over 128 KB": ("p.csv", b"id_number,name\n1," + b"x" * 140_000 + b"\n", "128 KB"),
    "NUL byte": ("p.csv", b"id_number,name\n1,a\x00b\n", "NUL"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_message_about_the_file(
    client: TestClient, db: Session, case: str
) -> None:
    filename, content, hint = BAD_FILES[case]
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    response = client.post(
        "/api/v1/persons/import",
        files={"file": (filename, content, "application/octet-stream")},
        headers=auth_headers(client, staff),
    )
    assert response.status_code == 400, response.text
    text = str(response.json())
    assert "file_rejected" in text and hint in text, text
    assert "文件无法读取" in text


def test_xlsform_upload_refuses_a_zip_bomb(client: TestClient, db: Session) -> None:
    admin = create_user(db, role=Role.SYSTEM_ADMIN)
    response = client.post(
        "/api/v1/field/modules",
        files={"file": ("x_bomb.xlsx", zip_bomb(), "application/octet-stream")},
        headers=auth_headers(client, admin),
    )
    assert response.status_code == 400, response.text
    assert "module_invalid" in response.text and "16 MB" in response.text


def test_the_file_is_checked_only_for_a_caller_who_may_upload(
    client: TestClient, db: Session
) -> None:
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    response = client.post(
        "/api/v1/persons/import",
        files={"file": ("p.xlsx", zip_bomb(), "application/octet-stream")},
        headers=auth_headers(client, worker),
    )
    assert response.status_code == 403
    anonymous = client.post(
        "/api/v1/persons/import", files={"file": ("p.xlsx", zip_bomb(), "text/csv")}
    )
    assert anonymous.status_code == 401


def test_limits_count_rows_and_cells() -> None:
    csv_text = "a,b,c\n" + "1,2,3\n" * 20
    rows = read_table(csv_text.encode(), filename="x.csv", limits=FileLimits(max_rows=21))
    assert len(rows) == 21 and rows[1] == (2, ["1", "2", "3"])
    with pytest.raises(FileRejected, match="rows"):
        read_table(csv_text.encode(), filename="x.csv", limits=FileLimits(max_rows=20))
    with pytest.raises(FileRejected, match="cells"):
        read_table(csv_text.encode(), filename="x.csv", limits=FileLimits(max_cells=62))
    gb = "身份证号,姓名\n1,陈桂英\n".encode("gb18030")
    assert read_table(gb, filename="x.csv")[1] == (2, ["1", "陈桂英"])


def test_parsing_happens_outside_the_write_lock(
    fresh_database_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite: every transaction holds the write lock; the file is parsed before the request's
    transaction begins, so other writers (sign-ins) are not held up by a slow parse."""
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        from tests.authz.city import make_region

        district = make_region(session, code=GRID_A[:6], level="district")
        street = make_region(session, code=GRID_A[:9], level="street", parent=district)
        community = make_region(session, code=GRID_A[:12], level="community", parent=street)
        make_region(session, code=GRID_A, level="grid", parent=community)
        staff = create_user(session, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
        session.commit()
    engine.dispose()
    database = url.removeprefix("sqlite:///")
    lock_free_while_parsing: list[bool] = []
    real_iter_table = importer.iter_table

    def probing_iter_table(*args: Any, **kwargs: Any) -> Any:
        probe = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            lock_free_while_parsing.append(True)
        except sqlite3.OperationalError:
            lock_free_while_parsing.append(False)
        finally:
            probe.close()
        return real_iter_table(*args, **kwargs)

    monkeypatch.setattr(importer, "iter_table", probing_iter_table)
    settings = Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path / "media")
    with TestClient(create_app(settings)) as client:
        response = client.post(
            "/api/v1/persons/import",
            params={"commit": "true"},
            files={
                "file": ("p.csv", f"身份证号,姓名,网格编码\n{ID_1},陈桂英,{GRID_A}\n", "text/csv")
            },
            headers=auth_headers(client, staff),
        )
    assert response.status_code == 200, response.text
    assert response.json()["persons_created"] == 1
    assert lock_free_while_parsing == [True]


def test_a_department_file_is_read_outside_the_write_lock(
    fresh_database_url: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sources upload page read the file inside the request's transaction: on SQLite a
    190 KB workbook of 99,000 empty rows held the write lock for 35 s and a sign-in meanwhile
    answered 500 "database is locked". It is read before the transaction begins now."""
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        register(session, "social_security")
        admin = create_user(session, role=Role.DATA_OFFICE)
        session.commit()
    engine.dispose()
    database = url.removeprefix("sqlite:///")
    lock_free_while_reading: list[bool] = []
    real_read = source_pages.read_department_file

    def probing_read(*args: Any, **kwargs: Any) -> Any:
        lock_free_while_reading.append(_write_lock_is_free(database))
        return real_read(*args, **kwargs)

    monkeypatch.setattr(source_pages, "read_department_file", probing_read)
    settings = Settings(mode=Mode.TEST, database_url=url, media_dir=tmp_path / "media")
    with TestClient(create_app(settings)) as client:
        assert web_login(client, admin.username).status_code == 303
        page = client.get("/sources")
        response = client.post(
            "/sources/social_security/upload",
            data={"csrf_token": form_token(page.text)},
            files={"file": ("ss.csv", "个人编号,姓名\n".encode(), "text/csv")},
        )
    assert response.status_code in (200, 400), response.text
    assert lock_free_while_reading == [True]


def _write_lock_is_free(database: str) -> bool:
    probe = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()
