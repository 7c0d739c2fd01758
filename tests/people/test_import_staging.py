"""The person import (issue 10): a template to download, a check kept on the server and
committed or discarded by id without a second upload, an error file with the reason per row in
the user's language, expiry."""

from __future__ import annotations

import io
from datetime import date, timedelta

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.clock import utcnow
from gridgov.models.audit import AuditEntry
from gridgov.models.person import Person
from gridgov.models.person_import import PersonImport
from gridgov.people import staging
from gridgov.people.identifiers import make_resident_id
from gridgov.people.importer import COLUMNS
from tests.factories import auth_headers, create_user
from tests.people.conftest import GRID_A

GOOD = make_resident_id("420502", date(1961, 5, 4), 30)
ALSO_GOOD = make_resident_id("420502", date(1962, 6, 5), 32)
BAD = GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1")  # wrong check digit


def _sheet(content: bytes, index: int = 0) -> list[list[object]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for row in book.worksheets[index].iter_rows(values_only=True)]


def _csv(*lines: str) -> bytes:
    return ("身份证号,姓名,网格编码,性别\n" + "\n".join(lines) + "\n").encode()


def _staff(client: TestClient, db: Session) -> dict[str, str]:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=GRID_A[:12])
    return auth_headers(client, staff)


def _check(client: TestClient, headers: dict[str, str], content: bytes, name: str = "p.csv"):  # type: ignore[no-untyped-def]
    response = client.post(
        "/api/v1/persons/import", files={"file": (name, content, "text/csv")}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_the_template_in_both_languages(client: TestClient, db: Session, grids: list[str]) -> None:
    headers = _staff(client, db)
    chinese = client.get("/api/v1/persons/import/template", headers=headers)
    assert chinese.status_code == 200
    assert chinese.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert _sheet(chinese.content)[0] == [names[0] for names in COLUMNS.values()]
    notes = _sheet(chinese.content, 1)
    assert notes[0] == ["列名", "含义", "必填", "可填写的值"]
    assert ["性别", "性别", None, "男、女"] in notes
    english = client.get("/api/v1/persons/import/template?lang=en", headers=headers)
    assert _sheet(english.content)[0] == list(COLUMNS)  # field names: the import reads them too
    assert ["sex", "Sex", None, "M, F"] in _sheet(english.content, 1)


def test_check_then_commit_by_id_without_uploading_again(
    client: TestClient, db: Session, grids: list[str]
) -> None:
    headers = _staff(client, db)
    checked = _check(client, headers, _csv(f"{GOOD},陈桂英,{GRID_A},女", f"{BAD},坏行,{GRID_A},女"))
    assert checked["status"] == "staged" and checked["valid"] == 1 and checked["rejected"] == 1
    assert not db.scalar(select(Person).where(Person.name == "陈桂英"))  # nothing loaded yet
    import_id = checked["import_id"]
    # The file is kept encrypted: no ID number in the clear.
    kept = db.get(PersonImport, import_id)
    assert kept is not None and kept.rows_enc and GOOD not in kept.rows_enc
    # The error file: the bad row as uploaded, its number and the reason, in the caller's words.
    errors = client.get(f"/api/v1/persons/imports/{import_id}/errors.xlsx", headers=headers)
    rows = _sheet(errors.content)
    assert rows[0] == ["行号", "身份证号", "姓名", "性别", "网格编码", "原因"]
    assert rows[1][:5] == [3, BAD, "坏行", "女", GRID_A] and "校验码" in str(rows[1][5])
    english = client.get(
        f"/api/v1/persons/imports/{import_id}/errors.xlsx?lang=en", headers=headers
    )
    rows_en = _sheet(english.content)
    assert rows_en[0] == ["Row", "id_number", "name", "sex", "grid_code", "Reason"]
    assert "check" in str(rows_en[1][5]).lower() and "校验" not in str(rows_en[1][5])
    # Somebody else (even with the same role) does not see it.
    other = _staff(client, db)
    assert client.get(f"/api/v1/persons/imports/{import_id}", headers=other).status_code == 404
    assert (
        client.post(f"/api/v1/persons/imports/{import_id}/commit", headers=other).status_code == 404
    )
    done = client.post(f"/api/v1/persons/imports/{import_id}/commit", headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "committed" and done.json()["persons_created"] == 1
    assert db.scalar(select(Person).where(Person.name == "陈桂英"))
    again = client.post(f"/api/v1/persons/imports/{import_id}/commit", headers=headers)
    assert again.status_code == 409 and again.headers["content-type"].startswith(
        "application/problem+json"
    )
    # The rejected rows stay for the error file; fixed, that file imports as it is.
    fixed = client.get(f"/api/v1/persons/imports/{import_id}/errors.xlsx", headers=headers)
    book = load_workbook(io.BytesIO(fixed.content))
    book.active.cell(row=2, column=2, value=ALSO_GOOD)
    out = io.BytesIO()
    book.save(out)
    rechecked = _check(client, headers, out.getvalue(), "fixed.xlsx")
    assert rechecked["valid"] == 1 and rechecked["rejected"] == 0
    actions = set(
        db.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "person_import"))
    )
    assert {"person.import.check", "person.import.commit"} <= actions


def test_discard_and_expiry(client: TestClient, db: Session, grids: list[str]) -> None:
    headers = _staff(client, db)
    first = _check(client, headers, _csv(f"{GOOD},陈桂英,{GRID_A},女"))["import_id"]
    gone = client.delete(f"/api/v1/persons/imports/{first}", headers=headers)
    assert gone.status_code == 200 and gone.json()["status"] == "discarded"
    refused = client.post(f"/api/v1/persons/imports/{first}/commit", headers=headers)
    assert refused.status_code == 409 and "放弃" in refused.json()["message"]
    second = _check(client, headers, _csv(f"{GOOD},陈桂英,{GRID_A},女"))["import_id"]
    assert staging.expire(db, now=utcnow() + staging.KEEP + timedelta(minutes=1)) == 1
    db.commit()
    expired = client.get(f"/api/v1/persons/imports/{second}", headers=headers).json()
    assert expired["status"] == "expired"
    kept = db.get(PersonImport, second)
    assert kept is not None and kept.rows_enc is None  # the ID numbers are gone
    late = client.post(f"/api/v1/persons/imports/{second}/commit", headers=headers)
    assert late.status_code == 409 and "过期" in late.json()["message"]
    assert not db.scalar(select(Person).where(Person.name == "陈桂英"))


def test_nothing_valid_is_refused(client: TestClient, db: Session, grids: list[str]) -> None:
    headers = _staff(client, db)
    checked = _check(client, headers, _csv(f"{BAD},坏行,{GRID_A},女"))
    refused = client.post(f"/api/v1/persons/imports/{checked['import_id']}/commit", headers=headers)
    assert refused.status_code == 400 and "有效行" in refused.json()["message"]
