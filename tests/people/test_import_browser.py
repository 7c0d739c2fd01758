"""The import page flow in Debian's chromium (issue 10): download the template, upload a file,
read the check, download the rejected rows with their reasons, import the valid rows without
choosing the file again."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.db import make_engine
from gridgov.models.person import Person
from gridgov.people.identifiers import make_resident_id
from tests.auth.test_browser import sign_in
from tests.authz.city import make_region
from tests.factories import DEFAULT_PASSWORD, create_user
from tests.live import live_server, server_settings
from tests.people.conftest import GRID_A

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

GOOD = make_resident_id("420502", date(1958, 7, 9), 40)
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")


def _book(path: Path):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(Path(path).read_bytes()))  # downloads have no extension


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        district = make_region(session, code=GRID_A[:6], level="district")
        street = make_region(session, code=GRID_A[:9], level="street", parent=district)
        community = make_region(session, code=GRID_A[:12], level="community", parent=street)
        make_region(session, code=GRID_A, level="grid", parent=community)
        create_user(
            session, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12], username="importer"
        )
        session.commit()
    engine.dispose()
    with live_server(server_settings(url)) as base:
        yield base, url


def test_template_check_error_file_and_commit(site, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base, url = site
    page = browser.new_page(accept_downloads=True)
    sign_in(page, base, "importer", DEFAULT_PASSWORD, "/login?next=/people/import")
    page.wait_for_url("**/people/import")
    with page.expect_download() as template:
        page.click("text=下载导入模板（Excel）")
    header = next(_book(template.value.path()).active.iter_rows(values_only=True))
    assert header[:3] == ("证件类型", "身份证号", "姓名")

    upload = tmp_path / "居民.csv"
    upload.write_text(
        f"身份证号,姓名,网格编码\n{GOOD},周秀兰,{GRID_A}\n{BAD},错号码,{GRID_A}\n",
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(upload))
    page.click("text=上传并校验")
    page.wait_for_url("**/people/import/*")
    report = page.inner_text("#import-report")
    assert "共 2 行，有效 1 行，拒绝 1 行" in report and "尚未导入" in report
    assert "校验码" in page.inner_text("#import-report table")

    with page.expect_download() as rejected:
        page.click("text=下载错误行（Excel，含原因）")
    rows = list(_book(rejected.value.path()).active.iter_rows(values_only=True))
    assert rows[0][0] == "行号" and rows[0][-1] == "原因"
    assert rows[1][:3] == (3, BAD, "错号码") and "校验码" in str(rows[1][-1])

    page.click("text=导入 1 条有效记录")  # no file chosen again
    page.wait_for_load_state()
    assert "已导入 1 人" in page.inner_text("#import-report")
    assert page.locator("text=导入 1 条有效记录").count() == 0
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(Person.name).where(Person.grid_code == GRID_A)) == "周秀兰"
    engine.dispose()
