from __future__ import annotations

from datetime import date

import pytest

from gridgov.people.identifiers import make_resident_id
from gridgov.sources.normalise import (
    date_relation,
    id_relation,
    name_sound_key,
    name_sound_variants,
    normalise_id,
    normalise_name,
    normalise_phone,
    normalise_sex,
    parse_date,
    swapped_key,
)

VALID = make_resident_id("420502", date(1985, 3, 7), 123)


def test_id_full_width_spaces_and_lower_x_come_out_as_the_register_writes_them() -> None:
    x_id = next(
        make_resident_id("420502", date(1985, 3, 7), s)
        for s in range(1000)
        if make_resident_id("420502", date(1985, 3, 7), s).endswith("X")
    )
    width = x_id[:6].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    parsed = normalise_id(f"{width} {x_id[6:14]} {x_id[14:17]}x")
    assert parsed is not None and parsed.value == x_id and parsed.valid


def test_15_digit_id_becomes_the_18_digit_one() -> None:
    old = VALID[:6] + VALID[8:17]
    parsed = normalise_id(old)
    assert parsed is not None
    assert (parsed.value, parsed.valid, parsed.from_15) == (VALID, True, True)


def test_bad_check_digit_is_flagged_but_kept_for_near_matching() -> None:
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    parsed = normalise_id(wrong)
    assert parsed is not None and not parsed.valid and parsed.problem == "check_digit"
    assert parsed.value == wrong
    assert normalise_id("") is None and normalise_id("12345").problem == "format"  # type: ignore[union-attr]


def test_id_near_match_is_one_substitution_or_adjacent_transposition() -> None:
    sub = VALID[:10] + ("9" if VALID[10] != "9" else "8") + VALID[11:]
    swap = VALID[:12] + VALID[13] + VALID[12] + VALID[14:]
    flip = {str(d): str((d + 1) % 10) for d in range(10)}
    far = VALID[:3] + flip[VALID[3]] + VALID[4:10] + flip[VALID[10]] + VALID[11:]
    assert id_relation(VALID, VALID) == "exact"
    assert id_relation(VALID, sub) == "near"
    assert id_relation(VALID, swap) == ("near" if VALID[12] != VALID[13] else "exact")
    assert id_relation(VALID, far) == "different"
    assert id_relation(VALID, VALID[:17]) == "different"
    assert id_relation(VALID, None) == "missing"


def test_names_traditional_width_and_unknown_characters() -> None:
    assert normalise_name("張　小明") == "张小明"
    assert normalise_name("劉 德華") == "刘德华"
    assert normalise_name("王□华") == "王?华"
    assert normalise_name("王？华") == "王?华"
    assert swapped_key("王明华") == swapped_key("王华明")
    assert swapped_key("欧阳娜丽") == swapped_key("欧阳丽娜")


@pytest.mark.parametrize(
    ("a", "b"),
    [("刘宁", "牛林"), ("胡芳", "傅芳"), ("陈声", "岑生"), ("张敏", "臧敏"), ("郑英", "曾英")],
)
def test_hubei_confusions_share_the_sound_key(a: str, b: str) -> None:
    assert name_sound_key(a) == name_sound_key(b)


def test_different_names_keep_different_sound_keys() -> None:
    assert name_sound_key("王伟") != name_sound_key("李伟")
    assert name_sound_key("张伟") != name_sound_key("张丽")


def test_heteronyms_are_among_the_variants() -> None:
    # 乐 reads le or yue; a clerk who heard "yue" wrote 岳.
    assert name_sound_key("李岳") in name_sound_variants("李乐")


@pytest.mark.parametrize(
    "raw",
    ["19850307", "1985-03-07", "1985/3/7", "1985.3.7", "1985年3月7日", "1985-03-07 00:00:00",
     31113, 19850307, "１９８５－０３－０７"],
)  # fmt: skip
def test_every_department_date_format(raw: object) -> None:
    assert parse_date(raw) == date(1985, 3, 7)


def test_named_date_formats_and_bad_dates() -> None:
    assert parse_date("07/03/1985", "DD/MM/YYYY") == date(1985, 3, 7)
    assert parse_date("1985/3/7", "YYYY/M/D") == date(1985, 3, 7)
    assert parse_date(None) is None and parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("去年")
    with pytest.raises(ValueError):
        parse_date("19851307")


def test_date_relations() -> None:
    d = date(1985, 3, 7)
    assert date_relation(d, d) == "exact"
    assert date_relation(d, date(1985, 7, 3)) == "swapped"
    assert date_relation(d, date(1985, 1, 1)) == "year_default"
    assert date_relation(d, date(1986, 3, 7)) == "off_by_year"
    assert date_relation(d, date(1985, 4, 20)) == "lunar"
    assert date_relation(d, date(1990, 3, 7)) == "different"


@pytest.mark.parametrize(
    ("raw", "want"),
    [("+86 138-0000-1234", "13800001234"), ("86-13800001234", "13800001234"),
     ("0086 13800001234", "13800001234"), ("(0717)6221234", "07176221234"),
     ("6221234", "07176221234"), ("+86 717 6221234", "07176221234"),
     ("１３８００００１２３４", "13800001234"), (13800001234.0, "13800001234"),
     ("12", None), (None, None)],
)  # fmt: skip
def test_phones(raw: object, want: str | None) -> None:
    assert normalise_phone(raw) == want


def test_sex_codes() -> None:
    assert [normalise_sex(v) for v in ("1", "2", "男", "女", 1.0, "x", None)] == [
        "M", "F", "M", "F", "M", None, None
    ]  # fmt: skip
