"""One ID number, one person — also while `gridgov keys rotate` re-keys the base: a person whose
lookup hash is still under the retired data key is found by the uniqueness check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.config import get_settings
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict
from gridgov.models.person import Person
from gridgov.people.common import duplicate_id
from gridgov.people.importer import import_persons
from gridgov.people.sensitive import Protector
from tests.people.conftest import grids

__all__ = ["grids"]

OLD_DATA, NEW_DATA = "old-data-key-" + "d" * 40, "new-data-key-" + "e" * 40
NUMBER = "420502199001010016"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    try:
        yield monkeypatch
    finally:
        monkeypatch.undo()  # the settings of the other tests come back, not these keys
        get_settings.cache_clear()


def _use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"GRIDGOV_{name.upper()}", value)
    get_settings.cache_clear()


def test_a_person_not_yet_re_keyed_is_still_a_duplicate(
    db: Session, keys: pytest.MonkeyPatch, grids: list[str]
) -> None:
    monkeypatch = keys
    _use(monkeypatch, data_key=OLD_DATA)
    protected = Protector().id_number(NUMBER)
    person = Person(
        id_number_enc=protected.enc,
        id_number_hash=protected.hash,
        id_number_masked=protected.masked,
        name="测试",
        name_pinyin="ceshi",
        name_initials="cs",
        sex="M",
        birth_date=date(1990, 1, 1),
        grid_code="420502001001001",
        changed_at=utcnow(),
        change_source="import",
    )
    db.add(person)
    db.flush()
    # The operator switched to the new key; the rotation has not reached this row yet.
    _use(monkeypatch, data_key=NEW_DATA, retired_data_keys=OLD_DATA)
    assert Protector().id_number(NUMBER).hash != protected.hash
    with pytest.raises(Conflict):
        duplicate_id(db, NUMBER.lower())
    duplicate_id(db, NUMBER, person.id)  # the person itself is no duplicate of itself

    # A bulk import of the same ID number during the rotation is refused too, row by row.
    report = import_persons(
        db,
        principal=system_principal("test-import"),
        rows=iter([(2, {"id_number": NUMBER, "name": "测试", "sex": "男", "grid_code": grids[0]})]),
        commit=False,
    )
    assert report.valid == 0 and [e.row for e in report.errors] == [2]
    assert "已在人口库" in report.errors[0].message
