"""The population module's move-in date writes the person's ``moved_in_on`` from its version
2026112601 on; a database holding the version before gets it from ``install-defaults`` as a new
version, and records naming the older version stay valid (and keep their old meaning)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.forms.registry import DEFAULT_MODULES_DIR
from gridgov.fieldwork.forms.xlsform import questions
from tests.fieldwork.conftest import population_record
from tests.fieldwork.test_newcomers import newcomer, person_by_id, sync
from tests.fieldwork.test_population_sync import make_person

SHIPPED = DEFAULT_MODULES_DIR / "01_population.xlsx"


def workbook_before(version: str = "2026112501") -> bytes:
    """The shipped population workbook as it was: the move-in date bound to nothing."""
    book = load_workbook(io.BytesIO(SHIPPED.read_bytes()))
    survey, settings = book["survey"], book["settings"]
    header = [cell.value for cell in survey[1]]
    for row in survey.iter_rows(min_row=2):
        if row[header.index("name")].value == "move_in_date":
            row[header.index("gridgov_field")].value = None
    settings.cell(row=2, column=[c.value for c in settings[1]].index("version") + 1).value = version
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def binding(db: Session, version: int) -> str | None:
    module = registry.get_module(db, code="population", version=version)
    definition = registry.definition_of(module)
    [field] = [q.node for q in questions(definition) if q.name == "move_in_date"]
    return field.get("gridgov_field")


def test_newcomers_move_in_date_is_the_persons(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    record = newcomer()  # floating, moved in on 2026-11-01
    [result] = sync(client, worker_headers, record)
    assert result["status"] == "stored", result
    person = person_by_id(db, record["data"]["id_number"])
    assert person is not None and person.moved_in_on == date(2026, 11, 1)


def test_an_update_writes_the_move_in_date(
    client: TestClient, db: Session, grid: Any, worker_headers: dict
) -> None:
    person = make_person(db, grid.code)
    db.commit()
    edit = population_record(subject_type="person", subject_id=str(person.id), base_version=1)
    edit["data"].update(id_number="11010519491231002X", residence="floating")
    edit["data"]["move_in_date"] = "2026-10-08"
    [result] = sync(client, worker_headers, edit)
    assert result["ref"] == f"person:{person.id}@v2", result
    db.refresh(person)
    assert (person.moved_in_on, person.residence_type) == (date(2026, 10, 8), "floating")


def test_an_older_version_is_upgraded_and_its_records_stay_valid(
    client: TestClient, db: Session, worker_headers: dict
) -> None:
    registry.add_module(
        db, content=workbook_before(), filename=SHIPPED.name, principal=registry.SHIPPED
    )
    added = registry.install_defaults(db)
    assert ("population", 2) in [(m.code, m.version) for m in added]
    assert len(added) == 10  # the nine others, and the population module's new version
    assert (binding(db, 1), binding(db, 2)) == (None, "moved_in_on")
    assert registry.install_defaults(db) == []  # idempotent
    db.commit()

    old = newcomer()
    old["module_version"] = 1  # filled in on a phone that had not refreshed its modules yet
    new = newcomer()
    new["data"]["move_in_date"] = "2026-09-30"
    assert [r["status"] for r in sync(client, worker_headers, old, new)] == ["stored"] * 2
    old_person = person_by_id(db, old["data"]["id_number"])
    new_person = person_by_id(db, new["data"]["id_number"])
    assert old_person is not None and new_person is not None
    assert old_person.moved_in_on is None  # version 1 wrote no move-in date
    assert new_person.moved_in_on == date(2026, 9, 30)


def test_an_administrators_own_version_is_not_replaced(db: Session) -> None:
    registry.install_defaults(db)
    own, created = registry.add_module(
        db,
        content=workbook_before(version="2027010101"),
        filename=SHIPPED.name,
        principal=registry.SHIPPED,
    )
    assert created and own.version == 2
    assert registry.install_defaults(db) == []
    assert registry.get_module(db, code="population").version == 2


# A version as gridgov stored it before the definition was pyxform's JSON (its own parser's shape).
OLD_DEFINITION = {
    "code": "population",
    "title": "实有人口采集",
    "form_version": "2026112601",
    "target": "person",
    "fields": [{"name": "name", "type": "text", "label": {"zh": "姓名"}, "required": "true()"}],
    "choices": {},
}


def test_a_version_stored_in_the_old_shape_stays_readable(
    client: TestClient, db: Session, worker_headers: dict, monkeypatch: Any
) -> None:
    monkeypatch.setattr(registry, "_COMPILED", {})
    registry.install_defaults(db)
    module = registry.get_module(db, code="population")
    module.definition = dict(OLD_DEFINITION)
    db.commit()

    served = client.get("/api/v1/field/modules/population", headers=worker_headers).json()
    definition = served["definition"]
    assert definition["type"] == "survey" and definition["id_string"] == "population"
    assert [c["name"] for c in definition["children"]][:3] == ["name", "id_number", "sex"]
    assert registry.install_defaults(db) == []  # its version is read from the workbook again
    record = newcomer()
    [result] = sync(client, worker_headers, record)
    assert result["status"] == "stored", result
    person = person_by_id(db, record["data"]["id_number"])
    assert person is not None and person.moved_in_on == date(2026, 11, 1)
