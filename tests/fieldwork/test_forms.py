"""XLSForm modules: the nine shipped files, broken files, expressions, server-side checks."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from pyxform.aliases import yes_no

from gridgov.fieldwork.forms.registry import DEFAULT_MODULES_DIR
from gridgov.fieldwork.forms.validate import CompiledModule
from gridgov.fieldwork.forms.xlsform import (
    YES_NO,
    ModuleInvalid,
    parse_definition,
    questions,
    required_expression,
)
from gridgov.fieldwork.forms.xpath import ExpressionError, evaluate

SHIPPED = sorted(DEFAULT_MODULES_DIR.glob("*.xlsx"))


def xlsx(
    survey: list[list[str]],
    choices: list[list[str]] | None = None,
    settings: list[list[str]] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        extra = book.create_sheet("choices")
        for row in choices:
            extra.append(row)
    extra = book.create_sheet("settings")
    for row in settings or [["form_id", "form_title"], ["tenth_module", "第十个模块"]]:
        extra.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_nine_reference_modules_ship_and_parse() -> None:
    codes = [parse_definition(p.read_bytes())["id_string"] for p in SHIPPED]
    assert codes == [
        "population",
        "housing",
        "environment",
        "family_planning",
        "food_safety",
        "labour_security",
        "facility_inspection",
        "disputes",
        "special_visits",
        "newborn_visit",  # the life-cycle task module (docs/lifecycle.md)
    ]


def test_every_supported_type_is_used_by_the_shipped_modules() -> None:
    used = {q.type for p in SHIPPED for q in questions(parse_definition(p.read_bytes()))}
    assert used == {
        "text",
        "integer",
        "decimal",
        "date",
        "select one",
        "select all that apply",
        "geopoint",
        "photo",
        "note",
        "calculate",
    }


@pytest.mark.parametrize(
    ("survey", "choices", "row", "fragment"),
    [
        (
            [["type", "name", "label"], ["text", "a", "A"], ["integer", "a", "B"]],
            None,
            3,
            "must be unique",
        ),
        (  # pyxform allows it in another group; a submission is flat, so gridgov does not
            [
                ["type", "name", "label"],
                ["text", "a", "A"],
                ["begin group", "g", "G"],
                ["text", "a", "A2"],
                ["end group", "", ""],
            ],
            None,
            4,
            "duplicate name 'a'",
        ),
        (
            [
                ["type", "name", "label"],
                ["begin repeat", "r", "R"],
                ["text", "a", "A"],
                ["end repeat", "", ""],
            ],
            None,
            2,
            "repeat groups are not supported",
        ),
        (
            [["type", "name", "label"], ["text", "a", "A"], ["barcode", "b", "B"]],
            None,
            3,
            "not supported",
        ),
        (
            [["type", "name", "label"], ["select_one nope", "a", "A"]],
            [["list_name", "name", "label"], ["yn", "y", "Y"]],
            2,
            "nope",
        ),
        (
            [
                ["type", "name", "label", "relevant"],
                ["text", "a", "A", ""],
                ["text", "b", "B", "${zz} = 1"],
            ],
            None,
            3,
            "zz",
        ),
        (
            [["type", "name", "label", "constraint"], ["integer", "a", "A", ". >>= 3"]],
            None,
            2,
            "constraint",
        ),
        (
            [["type", "name", "label"], ["begin group", "g", "G"], ["text", "a", "A"]],
            None,
            2,
            "No matching 'end_group'",
        ),
    ],
)
def test_broken_xlsform_is_rejected_with_row_and_reason(
    survey: list[list[str]], choices: list[list[str]] | None, row: int | None, fragment: str
) -> None:
    with pytest.raises(ModuleInvalid) as caught:
        parse_definition(xlsx(survey, choices))
    assert caught.value.details["row"] == row
    assert fragment in caught.value.message_en


def test_not_a_workbook_is_rejected() -> None:
    with pytest.raises(ModuleInvalid):
        parse_definition(b"PK\x03\x04 not really")


def test_pyxform_errors_surface_with_their_row() -> None:
    # A choice list without any label column is accepted by our parser but not by pyxform.
    survey = [
        ["type", "name", "label"],
        ["text", "a", "A"],
        [
            "calculate",
            "c",
            "",
        ],
    ]
    with pytest.raises(ModuleInvalid) as caught:
        parse_definition(xlsx(survey))
    assert caught.value.details["row"] == 3


@pytest.mark.parametrize(
    ("expression", "values", "dot", "expected"),
    [
        ("${a} + 2 * 3", {"a": 1}, "", 7.0),
        ("${a} div 4", {"a": 10}, "", 2.5),
        ("7 mod 3", {}, "", 1.0),
        (". >= 1 and . <= 50", {}, 51, False),
        (". >= 1 and . <= 50", {}, 3, True),
        ("${x} = 'floating'", {"x": "floating"}, "", True),
        ("${x} != 'normal'", {"x": ""}, "", True),
        ("selected(${m}, 'b')", {"m": "a b"}, "", True),
        ("count-selected(${m}) >= 2", {"m": "a b"}, "", True),
        ("string-length(.) <= 3", {}, "abcd", False),
        ("regex(., '^1[3-9][0-9]{9}$')", {}, "13800138000", True),
        ("regex(., '^1[3-9][0-9]{9}$')", {}, "1380013800", False),
        ("if(${s} >= 90, 'A', if(${s} >= 70, 'B', 'C'))", {"s": 75}, "", "B"),
        (". <= today()", {}, "1990-01-01", True),
        (". <= today()", {}, "2999-01-01", False),
        ("not(${a} = 1) or -${a} < 0", {"a": 1}, "", True),
        ("concat(${a}, '-', ${b})", {"a": "x", "b": 2.0}, "", "x-2"),
        ("${empty} > 3", {"empty": ""}, "", False),
    ],
)
def test_expressions(expression: str, values: dict, dot: object, expected: object) -> None:
    assert evaluate(expression, values, dot) == expected


@pytest.mark.parametrize("bad", ["${a} +", "foo", "unknown_fn(1)", "(1", "1 2", "'open"])
def test_bad_expressions_do_not_parse(bad: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(bad, {"a": 1})


def _population() -> CompiledModule:
    return CompiledModule(parse_definition(SHIPPED[0].read_bytes()))


def test_server_checks_required_relevant_constraint_and_calculation() -> None:
    module = _population()
    clean, errors = module.check(
        {
            "name": "张伟",
            "id_number": "11010519491231002X",
            "sex": "F",
            "birth_date": "1949-12-31",
            "residence": "registered",
            "move_in_date": "2020-01-01",  # not relevant for registered residents: dropped
            "employer": "宜昌港务",
        }
    )
    assert errors == []
    assert "move_in_date" not in clean
    assert clean["age"] >= 76  # calculated on the server
    assert clean["employer"] == "宜昌港务"

    clean, errors = module.check(
        {
            "name": "",
            "id_number": "123",
            "sex": "9",
            "birth_date": "2999-01-01",
            "residence": "floating",
            "bogus": 1,
        }
    )
    codes = {(e.field, e.code) for e in errors}
    assert codes == {
        ("bogus", "unknown"),
        ("name", "required"),
        ("id_number", "constraint"),
        ("sex", "choice"),
        ("birth_date", "constraint"),
        ("move_in_date", "required"),  # relevant because floating, and required
    }


def test_types_are_checked() -> None:
    definition = parse_definition(
        xlsx(
            [
                ["type", "name", "label"],
                ["integer", "n", "N"],
                ["decimal", "d", "D"],
                ["date", "t", "T"],
                ["geopoint", "g", "G"],
                ["select_multiple yn", "m", "M"],
            ],
            [["list_name", "name", "label"], ["yn", "y", "Y"], ["yn", "n", "N"]],
        )
    )
    module = CompiledModule(definition)
    clean, errors = module.check(
        {"n": "4", "d": "2.5", "t": "2026-02-01", "g": "30.7 111.3", "m": "y n"}
    )
    assert errors == []
    assert clean == {"n": 4, "d": 2.5, "t": "2026-02-01", "g": [30.7, 111.3], "m": ["y", "n"]}
    _, errors = module.check({"n": "4.5", "d": "x", "t": "2026-02-30", "g": "95 1", "m": ["q"]})
    assert {e.field for e in errors} == {"n", "d", "t", "g", "m"}


def test_groups_languages_and_messages_come_from_pyxforms_json() -> None:
    definition = parse_definition(
        xlsx(
            [
                [
                    "type",
                    "name",
                    "label::中文 (zh)",
                    "label::English (en)",
                    "relevant",
                    "required",
                    "constraint",
                    "constraint_message::中文 (zh)",
                    "constraint_message::English (en)",
                ],
                ["select_one yn", "pets", "养宠物", "Pets", "", "yes", "", "", ""],
                ["begin group", "dog", "犬只", "Dog", "${pets} = 'y'", "", "", "", ""],
                [
                    "integer",
                    "dogs",
                    "犬只数",
                    "Dogs",
                    "",
                    "yes",
                    ". <= 5",
                    "最多 5 只",
                    "At most 5",
                ],
                ["end group", "", "", "", "", "", "", "", ""],
            ],
            [
                ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
                ["yn", "y", "是", "Yes"],
                ["yn", "n", "否", "No"],
            ],
        )
    )
    assert definition["type"] == "survey"
    [group] = [c for c in definition["children"] if c["name"] == "dog"]
    assert group["type"] == "group" and group["bind"]["relevant"] == "${pets} = 'y'"
    module = CompiledModule(definition)
    # The group is not relevant: its required question is dropped, not demanded.
    clean, errors = module.check({"pets": "n", "dogs": 9})
    assert (clean, errors) == ({"pets": "n"}, [])
    _, errors = module.check({"pets": "y"})
    assert [(e.field, e.code, e.message) for e in errors] == [
        ("dogs", "required", "「犬只数」必填")
    ]
    _, errors = module.check({"pets": "y", "dogs": 7})
    assert [(e.field, e.message, e.message_en) for e in errors] == [
        ("dogs", "最多 5 只", "At most 5")
    ]


def test_required_words_are_pyxforms() -> None:
    assert yes_no == YES_NO
    assert required_expression({"required": "TRUE"}) == "true()"
    assert required_expression({"required": "no"}) is None
    assert required_expression({"required": "${a} = 1"}) == "${a} = 1"
