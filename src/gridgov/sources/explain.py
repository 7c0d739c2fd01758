"""A decision's explanation (Splink's waterfall): each comparison's level and weight.

Stored as stable keys, ``{"comparison": "name", "level": "same_sound", "weight": 3.5}``, and put
in words where it is shown, in the viewer's language, through the vocabularies
``sources.comparison`` and ``sources.level`` (``sources/vocabulary.py``). Rows stored before the
keys carry the Chinese words themselves (身份证号 / 差一位); :func:`keyed` turns those back into
keys, so old decisions read in either language too. The same table reads the model's own level
labels (``label_for_charts``, Chinese in :func:`gridgov.sources.linking.settings`).
"""

from __future__ import annotations

from typing import Any

from gridgov.sources import vocabulary  # noqa: F401  (the words of the keys, before any page)
from gridgov.web.i18n import label

COMPARISONS = ("id_number", "name", "birth_date", "sex", "phone", "address_key")

# The Chinese words stored before the keys (and the model's level labels) → key.
LEGACY_COMPARISONS = {
    "身份证号": "id_number",
    "姓名": "name",
    "出生日期": "birth_date",
    "性别": "sex",
    "电话": "phone",
    "住址": "address_key",
    "基础库重复": "base_duplicate",
}
LEGACY_LEVELS = {
    "缺失": "missing",
    "相同": "exact",
    "相同且有效": "exact_valid",
    "差一位": "one_typo",
    "名字顺序颠倒": "swapped",
    "读音相同": "same_sound",
    "生僻字缺字": "rare_character",
    "读音相近": "similar_sound",
    "同姓不同名": "same_surname",
    "常见登记误差": "clerical_variant",
    "不同": "different",
    "身份证号相同（含15位旧号）": "same_id",
    "姓名读音、出生日期、住址相同，身份证号差一位": "near_id",
}
LEVELS = frozenset(LEGACY_LEVELS.values())
EXACT_ID = [{"comparison": "id_number", "level": "exact_valid", "weight": None}]


def level_key(chart_label: str) -> str:
    """The key of a model level from its ``label_for_charts`` (ours in Chinese, or Splink's
    own English ``Exact match …`` / ``All other comparisons``)."""
    if chart_label in LEVELS:
        return chart_label
    if chart_label.lower().startswith("exact"):
        return "exact"
    if chart_label.lower().startswith("all other"):
        return "different"
    return LEGACY_LEVELS.get(chart_label, chart_label)


def keyed(explanation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A stored explanation with keys (old rows hold the words); entries that are no comparison
    (a merge's bookkeeping) as they are."""
    out = []
    for entry in explanation:
        if "comparison" not in entry:
            out.append(entry)
            continue
        comparison = str(entry["comparison"])
        level = str(entry.get("level") or "")
        out.append(
            {
                **entry,
                "comparison": LEGACY_COMPARISONS.get(comparison, comparison),
                "level": level_key(level) if level else "",
            }
        )
    return out


def in_words(language: str, explanation: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`keyed` entries with ``comparison_label`` and ``level_label`` in ``language``."""
    return [
        {
            **entry,
            "comparison_label": label(language, "sources.comparison", entry["comparison"]),
            "level_label": label(language, "sources.level", entry["level"]),
        }
        if "comparison" in entry
        else entry
        for entry in keyed(explanation)
    ]
