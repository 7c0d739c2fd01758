"""Normalisers for department records: ID numbers, names, dates and phones.

Pure functions, no database. Departments write the same fact in many ways (full-width digits,
15-digit IDs of old registers, traditional characters, ``1985/3/7``); matching compares what these
functions return, never the raw text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import product
from typing import NamedTuple

from gridgov.people.identifiers import id_check_char
from gridgov.people.text import COMPOUND_SURNAMES, name_pinyin

# --- ID numbers (GB 11643) --------------------------------------------------------------------

_ID_JUNK = re.compile(r"[\s\-_.·'\"]")


class IdNumber(NamedTuple):  # a tuple: one is made for every ID a file holds
    """A normalised resident ID. ``value`` is 18 characters when the input could be converted
    (also when its check character is wrong, so a near match can still be found); ``valid`` says
    whether it passes GB 11643; ``problem`` names what is wrong (``check_digit``, ``format``,
    ``birth_date``) or is ``None``."""

    value: str
    valid: bool
    problem: str | None
    from_15: bool = False


def _fold_width(text: str) -> str:
    """Full-width digits, letters and spaces → ASCII (NFKC), ideographic space included."""
    return unicodedata.normalize("NFKC", text)


def normalise_id(raw: object, *, today: date | None = None) -> IdNumber | None:
    """``"４２０５０２ 19850307 123x"`` → 420502198503071234X style; ``None`` for an empty value.

    A 15-digit ID (before 1999) becomes 18 digits: ``19`` is inserted before the 2-digit year and
    the check character is computed, as GB 11643 prescribes. A birth date after ``today`` (by
    default the date now) is a ``birth_date`` problem."""
    if raw is None:
        return None
    if type(raw) is str and raw.isascii() and raw.isalnum():  # as most registers write it
        text = raw.upper()
    else:
        text = _ID_JUNK.sub("", _fold_width(str(raw))).upper()
    if text.endswith(".0") and text[:-2].isdigit():  # a spreadsheet turned it into a float
        text = text[:-2]
    if not text:
        return None
    from_15 = False
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        text = first17 + id_check_char(first17)
        from_15 = True
    if len(text) != 18 or not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        return IdNumber(value=text, valid=False, problem="format")
    if not _birth_in_id_ok(text, today or date.today()):
        return IdNumber(value=text, valid=False, problem="birth_date", from_15=from_15)
    if id_check_char(text[:17]) != text[17]:
        return IdNumber(value=text, valid=False, problem="check_digit", from_15=from_15)
    return IdNumber(value=text, valid=True, problem=None, from_15=from_15)


def _birth_in_id_ok(number: str, today: date) -> bool:
    birth = _id_birth(number[6:14])
    return birth is not None and birth <= today


@lru_cache(maxsize=100_000)
def _id_birth(digits: str) -> date | None:
    """The date of an ID's 8 birth digits if it is a real date from 1880 on (IDs share them)."""
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None
    return birth if birth.year >= 1880 else None


def id_birth_date(number: str) -> date | None:
    """The birth date written inside an 18-character ID, if it is a real date."""
    if len(number) != 18 or not number[:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def id_relation(a: str | None, b: str | None) -> str:
    """``exact``, ``near`` (one substitution or one adjacent transposition: a typing error, the
    same person) or ``different``; ``missing`` if either side is empty."""
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    if len(a) != len(b):
        return "different"
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return "near"
    if len(diffs) == 2 and diffs[1] == diffs[0] + 1:
        i, j = diffs
        if a[i] == b[j] and a[j] == b[i]:
            return "near"
    return "different"


# --- names --------------------------------------------------------------------------------------

# Characters a source writes for a character it could not encode (生僻字).
_UNKNOWN_CHARS = frozenset("?？□■*＊")
_NAME_JUNK = frozenset(" \t\u3000·•.．・")


@lru_cache(maxsize=1)
def _t2s():
    # lazy: OpenCC's dictionaries load on the first traditional-character name, not at start
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=500_000)
def normalise_name(raw: str | None) -> str:
    """Simplified characters, no spaces or dots, ``?`` for a character the source could not
    encode: ``"張　小明"`` → ``张小明``, ``"王□华"`` → ``王?华``. Latin names upper-cased."""
    if not raw:
        return ""
    # No whitespace (str.split's, as str.isspace), no dots, ``?`` for the unknown characters.
    name = "".join(_fold_width(str(raw)).split()).translate(_NAME_TABLE)
    if _HAN.search(name):
        # Character by character (a name has no multi-character phrases to convert), cached.
        return name.translate(_SIMPLIFIED)
    return name.upper()


_NAME_TABLE = {ord(ch): None for ch in _NAME_JUNK} | {ord(ch): "?" for ch in _UNKNOWN_CHARS}
_HAN = re.compile("[\u3400-\u9fff]")


class _Simplified(dict[int, str]):
    """Code point → its simplified character, for ``str.translate``; filled as names come."""

    def __missing__(self, point: int) -> str:
        ch = chr(point)
        out = self[point] = str(_t2s().convert(ch)) if "\u3400" <= ch <= "\u9fff" else ch
        return out


_SIMPLIFIED = _Simplified()


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name), compound surnames (欧阳, 司马 …) included."""
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]


def swapped_key(name: str) -> str:
    """Surname + the given-name characters sorted, so 王明华 and 王华明 share a key."""
    surname, given = split_name(name)
    return surname + "".join(sorted(given))


# Hubei (and much of the south) does not tell these apart; folded in this order.
_INITIAL_FOLDS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"), ("h", "f"))
_FINAL_FOLDS = (("ing", "in"), ("eng", "en"))


@lru_cache(maxsize=5_000)
def fold_syllable(syllable: str) -> str:
    """One syllable as a Hubei speaker may hear it: ``zhang`` → ``zang``, ``ning`` → ``lin``,
    ``hu`` → ``fu``, ``cheng`` → ``cen``."""
    for long, short in _INITIAL_FOLDS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FINAL_FOLDS:
        if syllable.endswith(long):
            syllable = syllable[: -len(long)] + short
            break
    return syllable


@lru_cache(maxsize=20_000)
def _char_readings(ch: str) -> tuple[str, ...]:
    if not ("\u3400" <= ch <= "\u9fff"):
        return (ch.lower(),)
    # pypinyin's phrase dictionary takes ~0.3 s to load, which every CLI command would pay.
    # lazy: it loads on the first name read (the result is cached per character)
    from pypinyin import Style, pinyin

    readings = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    out = tuple(dict.fromkeys(r for r in (readings[0] if readings else ()) if r))
    return out or ("?",)


def name_pinyin_key(name: str) -> str:
    """The usual reading without tones (surname readings such as 曾 zeng, 单 shan included)."""
    return name_pinyin(name)[0] if name else ""


@lru_cache(maxsize=500_000)
def name_sound_key(name: str) -> str:
    """The usual reading with every syllable folded: names a clerk wrote by ear after hearing
    them in dialect (刘宁 / 牛林, 胡芳 / 傅芳, 陈声 / 岑生) get the same key."""
    return " ".join(fold_syllable(s) for s in _syllables(name))


@lru_cache(maxsize=200_000)
def name_sound_variants(name: str, limit: int = 8) -> tuple[str, ...]:
    """The folded keys of every combination of the characters' readings (heteronyms: 乐 le/yue,
    单 dan/shan …), the usual one first, at most ``limit``."""
    if not name:
        return ()
    per_char = [tuple(dict.fromkeys(fold_syllable(r) for r in _char_readings(ch))) for ch in name]
    out = [name_sound_key(name)]
    for combo in product(*per_char):
        key = " ".join(combo)
        if key not in out:
            out.append(key)
        if len(out) >= limit:
            break
    return tuple(out)


def _syllables(name: str) -> list[str]:
    if not name:
        return []
    surname, given = split_name(name)
    first = name_pinyin(surname)[0] if "?" not in surname else "?"
    return [first] + [_char_readings(ch)[0] if ch != "?" else "?" for ch in given]


# --- dates ----------------------------------------------------------------------------------------

# Formats a mapping may name, in the departments' own notation.
DATE_FORMATS = {
    "YYYYMMDD": "%Y%m%d",
    "YYYY-MM-DD": "%Y-%m-%d",
    "YYYY/MM/DD": "%Y/%m/%d",
    "YYYY/M/D": "%Y/%m/%d",
    "YYYY.MM.DD": "%Y.%m.%d",
    "YYYY.M.D": "%Y.%m.%d",
    "YYYY年M月D日": "%Y年%m月%d日",
    "DD/MM/YYYY": "%d/%m/%Y",
    "MM/DD/YYYY": "%m/%d/%Y",
    "YYYYMM": "%Y%m",
}
_DATE_PARTS = re.compile(r"^(\d{4})\D{1,2}(\d{1,2})\D{1,2}(\d{1,2})\D?(?:\s.*)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
_YEAR_FIRST = frozenset(
    {"YYYYMMDD", "YYYY-MM-DD", "YYYY/MM/DD", "YYYY/M/D", "YYYY.MM.DD", "YYYY.M.D", "YYYY年M月D日"}
)


def parse_date(raw: object, fmt: str | None = None) -> date | None:
    """A date in any department's format, or ``None`` if empty; raises ``ValueError`` for text
    that is no date. ``fmt`` is a key of :data:`DATE_FORMATS` or a ``strptime`` pattern; without
    it the usual forms are recognised (``19850307``, ``1985-03-07``, ``1985/3/7``,
    ``1985年3月7日``, ``1985-03-07 00:00:00``, Excel day numbers)."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw != raw:  # NaN from a spreadsheet
            return None
        number = int(raw)
        if 19000101 <= number <= 29991231:
            return parse_date(str(number))
        if 1 <= number < 80_000:
            return _EXCEL_EPOCH + timedelta(days=number)
        raise ValueError(f"not a date: {raw!r}")
    text = _fold_width(str(raw)).strip()
    if not text or text.lower() in {"nan", "nat", "none", "null"}:
        return None
    if fmt and fmt not in _YEAR_FIRST:  # year-first forms are read faster below
        pattern = DATE_FORMATS.get(fmt, fmt)
        return datetime.strptime(text, pattern).date()
    if text.isdigit() and len(text) == 8:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    match = _DATE_PARTS.match(text)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return date(year, month, day)
    if text.replace(".", "", 1).isdigit():
        return parse_date(float(text))
    raise ValueError(f"not a date: {raw!r}")


def date_relation(a: date | None, b: date | None) -> str:
    """How two birth dates of one person usually differ: ``exact``, ``swapped`` (day and month),
    ``year_default`` (an old register's ``YYYY-01-01``), ``off_by_year``, ``lunar`` (20–50 days
    later or earlier: a lunar-calendar birthday), ``different``; ``missing`` if either is empty."""
    if a is None or b is None:
        return "missing"
    if a == b:
        return "exact"
    if a.year == b.year and a.month == b.day and a.day == b.month:
        return "swapped"
    if a.year == b.year and ((a.month, a.day) == (1, 1) or (b.month, b.day) == (1, 1)):
        return "year_default"
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return "off_by_year"
    if 20 <= abs((a - b).days) <= 50:
        return "lunar"
    return "different"


# --- phones ---------------------------------------------------------------------------------------

DEFAULT_AREA_CODE = "0717"  # 宜昌


def normalise_phone(raw: object, *, area_code: str = DEFAULT_AREA_CODE) -> str | None:
    """Digits of a callable number: ``+86 138-0000-1234`` / ``86-13800001234`` → 13800001234;
    landlines keep the area code (``(0717)6221234`` → 07176221234; a bare 7–8 digit number gets
    ``area_code``). ``None`` for an empty value or text with too few digits."""
    if raw is None:
        return None
    text = _fold_width(str(raw)).strip()
    if text.endswith(".0"):
        text = text[:-2]
    digits = re.sub(r"\D", "", text)
    if not digits:
        return None
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) >= 11 and not _plain_number(digits):
        digits = digits[2:]
    if not digits.startswith(("0", "1")) and 9 <= len(digits) <= 11:
        digits = "0" + digits  # an international landline form drops the trunk 0: 86-717-…
    if len(digits) == 11 and digits.startswith("1"):
        return digits
    if digits.startswith("0") and 10 <= len(digits) <= 12:
        return digits
    if 7 <= len(digits) <= 8:
        return area_code + digits
    return None


def _plain_number(digits: str) -> bool:
    """A number that is whole as written (a mobile, or a landline with its trunk 0)."""
    return (len(digits) == 11 and digits.startswith("1")) or digits.startswith("0")


def is_mobile(phone: str | None) -> bool:
    return bool(phone) and len(phone or "") == 11 and (phone or "").startswith("1")


# --- sex ------------------------------------------------------------------------------------------

_SEX = {
    "1": "M", "m": "M", "男": "M", "male": "M", "男性": "M",
    "2": "F", "f": "F", "女": "F", "female": "F", "女性": "F",
}  # fmt: skip


def normalise_sex(raw: object) -> str | None:
    """``M``/``F`` from GB/T 2261.1 codes (1/2), 男/女 or letters; ``None`` if unknown."""
    if raw is None:
        return None
    return _SEX.get(_fold_width(str(raw)).strip().lower().removesuffix(".0"))
