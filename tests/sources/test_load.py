from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.errors import BadRequest
from gridgov.models.source import SourceRecord
from gridgov.people.identifiers import make_resident_id
from gridgov.sources import hooks
from gridgov.sources.mapping import MappingError, parse_mapping
from gridgov.sources.service import load_rows
from tests.sources.conftest import register

ID = make_resident_id("420502", date(1985, 3, 7), 123)
HEADER = ["RYBH", "XM", "CYM", "XB", "CSRQ", "GMSFHM", "MZ", "HH", "YHZGX", "HJDZ", "RYZT",
          "SWRQ", "LXDH"]  # fmt: skip


def _row(key: str, **changes: str) -> dict[str, str]:
    row = dict.fromkeys(HEADER, "")
    row.update(RYBH=key, XM="張小明", XB="1", CSRQ="19850307", GMSFHM=ID[:17] + ID[17].lower(),
               MZ="01", HJDZ="宜昌市西陵区解放路12号5-2-1203", RYZT="正常", LXDH="+86 138 0000 1234")  # fmt: skip
    row.update(changes)
    return row


def _current(db: Session, key: str) -> list[SourceRecord]:
    return list(
        db.scalars(
            select(SourceRecord)
            .where(SourceRecord.record_key == key)
            .order_by(SourceRecord.version)
        )
    )


def test_load_is_idempotent_and_a_changed_record_is_a_new_version(
    db: Session, system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    first = load_rows(db, principal=system, source=source, rows=[(2, _row("P1")), (3, _row("P2"))],
                      channel="file", header=HEADER)  # fmt: skip
    assert (first.created, first.changed, first.unchanged, first.rejected) == (2, 0, 0, 0)
    again = load_rows(db, principal=system, source=source, rows=[(2, _row("P1"))], channel="file")
    assert (again.created, again.changed, again.unchanged) == (0, 0, 1)
    dead = load_rows(db, principal=system, source=source,
                     rows=[(2, _row("P1", RYZT="死亡注销", SWRQ="20261101"))], channel="file")  # fmt: skip
    assert (dead.created, dead.changed) == (0, 1)
    versions = _current(db, "P1")
    assert [(v.version, v.current, v.status) for v in versions] == [
        (1, False, "normal"),
        (2, True, "deceased"),
    ]
    n = versions[1].normalised
    assert (n["name"], n["sex"], n["birth_date"], n["id_number"], n["id_valid"]) == (
        "张小明", "M", "1985-03-07", ID, True,
    )  # fmt: skip
    assert (n["phone"], n["ethnicity"], n["death_date"]) == ("13800001234", "汉族", "2026-11-01")
    assert n["registered_address_key"] == "解放路12号5栋2单元1203"
    assert versions[1].raw["XM"] == "張小明" and versions[1].received_by == "system:test"


def test_bad_rows_are_listed_and_good_ones_load(db: Session, system: Principal) -> None:
    source, _ = register(db, "police_hukou")
    load = load_rows(
        db, principal=system, source=source, channel="file",
        rows=[(2, _row("A")), (3, _row("B", CSRQ="去年")), (4, _row("C", XM="")),
              (5, _row("D", XB="?")), (6, _row("A")), (7, _row("", XM="x"))],
    )  # fmt: skip
    assert (load.created, load.rejected) == (1, 5)
    assert [e["row"] for e in load.errors] == [3, 4, 5, 6, 7]
    assert "去年" in load.errors[0]["reason"] and "重复" in load.errors[3]["reason"]
    assert load.quality["completeness"]["name"] == 1.0


def test_file_with_unknown_or_missing_columns_is_refused(db: Session, system: Principal) -> None:
    source, _ = register(db, "police_hukou")
    with pytest.raises(BadRequest, match="EXTRA"):
        load_rows(db, principal=system, source=source, rows=[], channel="file",
                  header=[*HEADER, "EXTRA"])  # fmt: skip
    with pytest.raises(BadRequest, match="XM"):
        load_rows(db, principal=system, source=source, rows=[], channel="file",
                  header=[h for h in HEADER if h != "XM"])  # fmt: skip


def test_listeners_see_new_and_changed_records_only(db: Session, system: Principal) -> None:
    source, _ = register(db, "police_hukou")
    seen: list[tuple[str, int]] = []

    def listener(session, principal, src, records) -> None:  # type: ignore[no-untyped-def]
        seen.extend((record.record_key, record.version) for record in records)

    hooks.on_records(listener)
    try:
        for row in (_row("P1"), _row("P1"), _row("P1", XM="张晓明")):
            load_rows(db, principal=system, source=source, rows=[(2, row)], channel="api")
    finally:
        hooks.remove_listener(listener)
    assert seen == [("P1", 1), ("P1", 2)]


def test_text_with_backslashes_tabs_and_line_ends_is_kept_as_received(
    db: Session, system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    odd = 'a\\b\t"c"\nd\r\\N'
    load = load_rows(db, principal=system, source=source, channel="api",
                     rows=[(2, _row("P\\1", CYM=odd, HH=odd, XM="张\t小明"))])  # fmt: skip
    assert load.created == 1
    (record,) = _current(db, "P\\1")
    assert record.raw["CYM"] == odd and record.raw["HH"] == odd and record.raw["XM"] == "张\t小明"
    assert record.normalised["household_no"] == odd.strip() and record.name == "张小明"


def test_a_failing_listener_fails_the_load_and_writes_nothing(
    db: Session, system: Principal
) -> None:
    source, _ = register(db, "police_hukou")
    db.commit()

    def broken(session, principal, src, records) -> None:  # type: ignore[no-untyped-def]
        raise RuntimeError("listener down")

    hooks.on_records(broken)
    try:
        with pytest.raises(RuntimeError, match="listener down"):
            load_rows(db, principal=system, source=source, channel="file",
                      rows=[(n, _row(f"P{n}")) for n in range(2, 12)])  # fmt: skip
    finally:
        hooks.remove_listener(broken)
    db.rollback()
    assert db.scalar(select(func.count()).select_from(SourceRecord)) == 0


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ('[source]\ntitle="x"\ndepartment="d"\nkind="hukou"\nrecord_id="ID"\n[columns]\nXM = "nmae"\n', 7, "nmae"),
        ('[source]\ntitle="x"\ndepartment="d"\nkind="nope"\nrecord_id="ID"\n', 4, "nope"),
        ('[source]\ntitle="x"\ndepartment="d"\nkind="hukou"\nrecord_id="ID"\n[columns]\nXM="name"\n[dates]\nbirth_date="YYYYMMDD"\n', 9, "birth_date"),
        ('[source]\ntitle="x"\ndepartment="d"\nkind="hukou"\nrecord_id="ID"\n[columns]\nZT="status"\n[values.status]\n"1"="dead"\n', 9, "dead"),
        ('[source]\ntitle = "x\n', 2, "TOML"),
    ],
)  # fmt: skip
def test_broken_mapping_is_refused_with_line_and_reason(text: str, line: int, words: str) -> None:
    with pytest.raises(MappingError) as caught:
        parse_mapping(text)
    assert caught.value.line == line
    assert words in caught.value.message_en
