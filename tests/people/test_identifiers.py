import contextlib
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridgov.people.identifiers import (
    CREDIT_ALPHABET,
    IdentifierError,
    credit_check_char,
    id_check_char,
    make_credit_code,
    make_resident_id,
    parse_resident_id,
    validate_credit_code,
)

addresses = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
sequences = st.integers(min_value=0, max_value=999)


def test_reference_examples() -> None:
    assert parse_resident_id("11010519491231002X").sex == "F"
    assert parse_resident_id("440524188001010014").birth_date == date(1880, 1, 1)
    assert validate_credit_code("91350100M000100Y43") == "91350100M000100Y43"


@given(addresses, births, sequences)
def test_made_ids_parse_back(address: str, birth: date, sequence: int) -> None:
    number = make_resident_id(address, birth, sequence)
    parsed = parse_resident_id(number.lower())
    assert parsed.number == number
    assert parsed.birth_date == birth
    assert parsed.address_code == address
    assert parsed.sex == ("M" if sequence % 2 else "F")


@given(addresses, births, sequences, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_error_is_caught(
    address: str, birth: date, sequence: int, position: int, delta: int
) -> None:
    number = make_resident_id(address, birth, sequence)
    wrong = str((int(number[position]) + delta) % 10)
    corrupted = number[:position] + wrong + number[position + 1 :]
    with pytest.raises(IdentifierError):
        parse_resident_id(corrupted)


@given(st.text(max_size=20))
def test_garbage_never_crashes(value: str) -> None:
    with contextlib.suppress(IdentifierError):
        parse_resident_id(value)
    with contextlib.suppress(IdentifierError):
        validate_credit_code(value)


@given(
    st.text(alphabet=CREDIT_ALPHABET, min_size=9, max_size=9),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_made_credit_codes_validate(org_code: str, division: str) -> None:
    code = make_credit_code("9", "1", division, org_code)
    assert validate_credit_code(code.lower()) == code


@given(
    st.text(alphabet=CREDIT_ALPHABET, min_size=9, max_size=9),
    st.integers(min_value=0, max_value=16),
    st.integers(min_value=1, max_value=30),
)
def test_credit_single_character_error_is_caught(org_code: str, position: int, delta: int) -> None:
    code = make_credit_code("9", "2", "420502", org_code)
    chars = list(code)
    chars[position] = CREDIT_ALPHABET[(CREDIT_ALPHABET.index(chars[position]) + delta) % 31]
    corrupted = "".join(chars)
    if corrupted[2:8].isdigit():
        with pytest.raises(IdentifierError):
            validate_credit_code(corrupted)


def test_check_characters() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert credit_check_char("91350100M000100Y4") == "3"


def test_bad_birth_date_and_future() -> None:
    with pytest.raises(IdentifierError) as bad:
        parse_resident_id(
            make_resident_id("420502", date(2020, 1, 1), 1).replace("20200101", "20201301")
        )
    assert bad.value.code in {"id_birth_date", "id_check_digit"}
    future = make_resident_id("420502", date(2030, 1, 1), 1)
    with pytest.raises(IdentifierError):
        parse_resident_id(future, today=date(2026, 1, 1))
