"""National identifiers: resident ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Pure functions, no database: used by the schemas, the importer and the synthetic city.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 0-9A-Z without I O S V Z
_CREDIT_VALUE = {ch: i for i, ch in enumerate(CREDIT_ALPHABET)}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class IdentifierError(ValueError):
    """An identifier that fails its standard; ``code`` is stable, the messages are zh + en."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message = message
        self.message_en = message_en


@dataclass(frozen=True)
class ResidentId:
    number: str
    address_code: str
    birth_date: date
    sex: str  # "M" (odd sequence) or "F" (even)


def id_check_char(first17: str) -> str:
    if len(first17) == 17 and first17.isascii() and first17.isdigit():  # bytes: no int() each
        total = sum(map(operator.mul, first17.encode(), _ID_WEIGHTS)) - _ASCII_ZEROS
    else:
        total = sum(map(operator.mul, map(int, first17), _ID_WEIGHTS))
    return _ID_CHECK[total % 11]


_ASCII_ZEROS = ord("0") * sum(_ID_WEIGHTS)


def make_resident_id(address_code: str, birth: date, sequence: int) -> str:
    """Build a valid 18-character ID; ``sequence`` 0–999 (odd = male, even = female)."""
    first17 = f"{address_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17)


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate an 18-character resident ID and derive its birth date and sex."""
    number = value.strip().upper()
    if (
        len(number) != 18
        or not number[:17].isdigit()
        or not (number[17].isdigit() or number[17] == "X")
    ):
        raise IdentifierError(
            "id_format",
            "身份证号应为18位（前17位数字，末位数字或X）",
            "A resident ID has 18 characters: 17 digits and a digit or X",
        )
    if not number[:17].isascii():
        raise IdentifierError(
            "id_format", "身份证号含非法字符", "The resident ID has bad characters"
        )
    if id_check_char(number[:17]) != number[17]:
        raise IdentifierError(
            "id_check_digit", "身份证号校验码错误", "The resident ID's check digit is wrong"
        )
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError(
            "id_birth_date", "身份证号中的出生日期无效", "The birth date inside the ID is invalid"
        ) from None
    if birth.year < 1880 or birth > (today or date.today()):
        raise IdentifierError(
            "id_birth_date",
            "身份证号中的出生日期不合理",
            "The birth date inside the ID is implausible",
        )
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ResidentId(number=number, address_code=number[:6], birth_date=birth, sex=sex)


def credit_check_char(first17: str) -> str:
    total = sum(_CREDIT_VALUE[ch] * w for ch, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def make_credit_code(authority: str, kind: str, division: str, org_code: str) -> str:
    first17 = f"{authority}{kind}{division}{org_code}"
    return first17 + credit_check_char(first17)


def org_code_check_char(first8: str) -> str:
    """GB 11714 check character of the 9-character organisation code inside a credit code."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w
        for ch, w in zip(first8, weights, strict=True)
    )
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def validate_credit_code(value: str) -> str:
    """Return the normalised 18-character code or raise :class:`IdentifierError`."""
    code = value.strip().upper()
    if len(code) != 18 or any(ch not in _CREDIT_VALUE for ch in code):
        raise IdentifierError(
            "credit_format",
            "统一社会信用代码应为18位（数字和除I、O、S、V、Z外的大写字母）",
            "A unified social credit code has 18 characters from 0-9 and A-Z without I O S V Z",
        )
    if not code[2:8].isdigit():
        raise IdentifierError(
            "credit_format",
            "统一社会信用代码第3-8位应为行政区划码",
            "Characters 3-8 of a credit code are the division code",
        )
    if credit_check_char(code[:17]) != code[17]:
        raise IdentifierError(
            "credit_check_digit",
            "统一社会信用代码校验码错误",
            "The credit code's check character is wrong",
        )
    return code
