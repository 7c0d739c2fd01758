from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.authz.principal import Role, system_principal
from gridgov.models.household import Household
from gridgov.models.person import Person
from gridgov.people import service
from gridgov.people.exporter import export_persons
from gridgov.people.identifiers import make_resident_id
from gridgov.people.importer import import_persons, read_rows
from gridgov.people.stats import population_counts
from tests.people.conftest import GRID_A, GRID_B, GRID_OTHER, person_in, principal

SYSTEM = system_principal("test")

HEADER = [
    "身份证号",
    "姓名",
    "性别",
    "联系电话",
    "网格编码",
    "户号",
    "与户主关系",
    "房屋地址",
    "人口类型",
    "标签",
]


def _id(seq: int, birth: date = date(1970, 1, 2)) -> str:
    return make_resident_id("420502", birth, seq)


def _rows() -> list[list[str]]:
    bad = _id(5)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    house = "宜昌市西陵区解放路1号1栋1单元101"
    return [
        [_id(1), "刘德华", "男", "13800000001", GRID_A, "H001", "户主", house, "户籍", "独居老人"],
        [_id(2), "朱丽倩", "女", "", GRID_A, "H001", "配偶", house, "户籍", ""],
        [bad, "坏号码", "", "", GRID_A, "", "", "", "", ""],
        [_id(3), "未知网格", "", "", "420502001001999", "", "", "", "", ""],
        [_id(1), "重复", "", "", GRID_A, "", "", "", "", ""],
        [_id(7), "性别错", "女", "", GRID_A, "", "", "", "", ""],
        [_id(9), "已存在", "", "", GRID_A, "", "", "", "", ""],
        [_id(11), "张学友", "", "12345", GRID_B, "", "", "", "流动", "残疾人;低保对象"],
        [_id(13), "外区", "", "", GRID_OTHER, "", "", "", "", ""],
    ]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def test_dry_run_reports_every_bad_row_then_commit_loads(db: Session, grids: list[str]) -> None:
    service.create_person(
        db, principal=SYSTEM, person_in=person_in(name="已存在", birth=date(1970, 1, 2), sequence=9)
    )
    staff = principal(Role.STREET_STAFF, "420502001")
    data = _csv(_rows())
    report = import_persons(
        db, principal=staff, rows=read_rows(io.BytesIO(data), filename="a.csv"), commit=False
    )
    assert report.total == 9 and report.valid == 2 and not report.committed
    reasons = {e.row: e.message for e in report.errors}
    assert "校验码" in reasons[4]
    assert "未知网格" in reasons[5]
    assert "第 2 行" in reasons[6]
    assert "性别" in reasons[7]
    assert "已在人口库" in reasons[8]
    assert "电话" in reasons[9]
    assert "管辖范围" in reasons[10]
    assert db.scalar(select(func.count()).select_from(Person)) == 1

    fixed = _rows()
    fixed[7][3] = "13800000011"
    report = import_persons(
        db,
        principal=staff,
        rows=read_rows(io.BytesIO(_csv(fixed)), filename="a.csv"),
        commit=True,
        reason="社区普查",
    )
    assert report.committed and report.persons_created == 3
    assert report.households_created == 1 and report.houses_created == 1
    head = db.scalar(select(Person).where(Person.name == "刘德华"))
    assert head is not None and head.relation_to_head == "head" and head.sex == "M"
    assert head.tag_codes == ",elderly_alone," and head.change_source == "import"
    spouse = db.scalar(select(Person).where(Person.name == "朱丽倩"))
    assert spouse is not None and spouse.household_id == head.household_id
    household = db.get(Household, head.household_id)
    assert household is not None and household.house_id == head.house_id
    counts = population_counts(db, region_codes=[GRID_A, GRID_B])
    assert counts[GRID_A].persons == 3 and counts[GRID_A].elderly_alone == 1
    assert counts[GRID_B].floating == 1
    # The imported rows are searchable at once (pinyin, ID hash).
    found = service.find_by_id_number(db, principal=SYSTEM, id_number=_id(11))
    assert found is not None and found.name_pinyin == "zhangxueyou"


def test_excel_round_trip(db: Session, grids: list[str], tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["证件号码", "姓名", "出生日期", "网格编码"])
    sheet.append([_id(21, date(1990, 5, 6)), "黎明", date(1990, 5, 6), GRID_A])
    sheet.append([_id(23, date(1990, 5, 6)), "郭富城", "1990-05-07", GRID_A])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    report = import_persons(db, principal=SYSTEM, rows=read_rows(path), commit=True)
    assert report.persons_created == 1
    assert report.errors[0].row == 3 and report.errors[0].field == "birth_date"
    out = tmp_path / "out.xlsx"
    assert export_persons(db, principal=SYSTEM, path=out) == 1
    rows = list(load_workbook(out).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[0][1] == "身份证号" and rows[1][2] == "黎明"
    assert "*" in str(rows[1][1])
    csv_out = tmp_path / "out.csv"
    export_persons(db, principal=SYSTEM, path=csv_out, full=True, purpose="数据核对")
    assert _id(21, date(1990, 5, 6)) in csv_out.read_text(encoding="utf-8-sig")
    # The export reads back through the importer (same shape): all rows now conflict.
    again = import_persons(db, principal=SYSTEM, rows=read_rows(csv_out), commit=False)
    assert again.valid == 0 and "已在人口库" in again.errors[0].message
    masked = import_persons(
        db, principal=SYSTEM, rows=read_rows(tmp_path / "out.xlsx"), commit=False
    )
    assert masked.valid == 0 and "脱敏" in masked.errors[0].message


def test_cli_import_and_export(
    fresh_database_url,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    from gridgov.cli import app
    from gridgov.kit.db import make_engine
    from tests.authz.city import make_region

    url = fresh_database_url("sqlite")
    engine = make_engine(url)
    with Session(engine) as session:
        district = make_region(session, code="420502", level="district")
        street = make_region(session, code="420502001", level="street", parent=district)
        community = make_region(session, code="420502001001", level="community", parent=street)
        make_region(session, code=GRID_A, level="grid", parent=community)
        session.commit()
    engine.dispose()
    monkeypatch.setenv("GRIDGOV_DATABASE_URL", url)
    monkeypatch.setenv("GRIDGOV_MODE", "test")
    path = tmp_path / "persons.csv"
    path.write_bytes(_csv(_rows()[:3]))
    runner = CliRunner()
    dry = runner.invoke(app, ["import", "persons", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "校验码" in dry.output
    done = runner.invoke(app, ["import", "persons", str(path), "--commit"])
    assert done.exit_code == 0, done.output
    assert "loaded 2 persons" in done.output
    out = tmp_path / "export.csv"
    exported = runner.invoke(app, ["export", "persons", str(out)])
    assert exported.exit_code == 0, exported.output
    assert "刘德华" in out.read_text(encoding="utf-8-sig")
    houses = runner.invoke(app, ["export", "houses", str(tmp_path / "houses.xlsx")])
    assert houses.exit_code == 0 and "1 houses" in houses.output


def test_each_row_is_checked_by_the_apis_person_schema(db: Session, grids: list[str]) -> None:
    """Every problem PersonCreate finds is a row error with its field, in both languages; what
    the schema accepts the importer accepts (a sheet's words and date formats mapped first)."""
    staff = principal(Role.STREET_STAFF, "420502001")
    header = ["身份证号", "姓名", "网格编码", "现住址", "人口类型", "迁入日期", "与户主关系"]
    rows = [
        [_id(21), "张三", GRID_A, "解放路" * 70, "", "", ""],  # 210 characters
        [_id(22), "", GRID_A, "", "外星", "2020/13/01", ""],
        [_id(23), "李四", GRID_A, "解放路2号", "流动", "2020/3/1", "配偶"],
        [_id(24), "王五", GRID_A, "", "", "", "表亲"],
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    report = import_persons(
        db,
        principal=staff,
        rows=read_rows(io.BytesIO(out.getvalue().encode()), filename="b.csv"),
        commit=True,
    )
    found = {(e.row, e.field): (e.message, e.message_en) for e in report.errors}
    assert found[(2, "current_address")] == (
        "内容太长",
        "String should have at most 200 characters",
    )
    assert found[(3, "name")] == ("必填", "Field required")
    assert found[(3, "residence_type")][0] == "取值无效"
    assert found[(3, "moved_in_on")][0] == "日期格式错误（应为 YYYY-MM-DD）"
    assert found[(5, "relation_to_head")][0] == "取值无效"
    assert (report.total, report.valid, report.rejected) == (4, 1, 3)
    person = db.scalar(select(Person).where(Person.name == "李四"))
    assert person is not None
    assert (person.residence_type, person.moved_in_on, person.relation_to_head) == (
        "floating",
        date(2020, 3, 1),
        "spouse",
    )
