"""Names in pinyin (for search by pinyin and initials) and normalised phone numbers."""

from __future__ import annotations

import re
from functools import lru_cache

_CJK = re.compile(r"[\u3400-\u9fff]")
# Surnames whose reading differs from the character's most common reading.
_SURNAME_READINGS = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "查": "zha",
    "区": "ou",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "长孙": "zhangsun",
}


_SKIP = frozenset(" \t·•.")


@lru_cache(maxsize=20_000)
def char_pinyin(ch: str) -> str:
    """The character's usual reading without tone (``"乐"`` → ``le``); non-Chinese characters
    lower-cased."""
    if not _CJK.match(ch):
        return ch.lower()
    # pypinyin's phrase dictionary takes ~0.3 s to load, which every CLI command would pay.
    # lazy: it loads on the first name read (the result is cached per character)
    from pypinyin import Style, lazy_pinyin

    readings = lazy_pinyin(ch, style=Style.NORMAL, errors="ignore")
    return readings[0].lower() if readings else ""


@lru_cache(maxsize=200_000)
def name_pinyin(name: str) -> tuple[str, str]:
    """``("wangxiaoming", "wxm")``: full pinyin without tones or spaces, and the initials.

    Character by character with a cache (fast enough for a city of 800 k), with the usual
    surname readings (曾 zeng, 单 shan …)."""
    name = name.strip()
    syllables: list[str] = []
    rest = name
    for length in (2, 1):
        reading = _SURNAME_READINGS.get(name[:length])
        if reading is not None:
            syllables.append(reading)
            rest = name[length:]
            break
    for ch in rest:
        if ch in _SKIP:
            continue
        syllable = char_pinyin(ch)
        if syllable:
            syllables.append(syllable)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full[:200], initials[:32]


COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "长孙",
        "慕容",
        "令狐",
        "夏侯",
        "司徒",
    }
)


def given_name(name: str) -> str:
    """The name without its surname (compound surnames included); foreign names unchanged."""
    name = name.strip()
    if not is_cjk(name[:1]) or len(name) < 2:
        return name
    if name[:2] in COMPOUND_SURNAMES and len(name) > 2:
        return name[2:]
    return name[1:]


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normalise_phone(value: str) -> str:
    """Digits only (keeps a leading +); ``138 0000-1234`` → ``13800001234``."""
    value = value.strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        return "+" + digits
    return digits
