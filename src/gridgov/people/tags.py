"""Tags the grid work needs on a person (GB/T 31000 special populations and care groups)."""

from __future__ import annotations

# code → (zh, en, counts as a special population under GB/T 31000)
TAGS: dict[str, tuple[str, str, bool]] = {
    "elderly_alone": ("独居老人", "Elderly living alone", False),
    "empty_nest_elderly": ("空巢老人", "Empty-nest elderly", False),
    "disabled": ("残疾人", "Person with disability", False),
    "low_income": ("低保对象", "Minimum-subsistence recipient", False),
    "left_behind_child": ("留守儿童", "Left-behind child", False),
    "veteran": ("退役军人", "Veteran", False),
    "released_prisoner": ("刑满释放人员", "Released prisoner", True),
    "community_correction": ("社区矫正对象", "Under community correction", True),
    "drug_user": ("吸毒人员", "Drug user", True),
    "mental_disorder": ("严重精神障碍患者", "Severe mental disorder", True),
    "aids_risk": ("艾滋病危险人员", "HIV at-risk person", True),
    "key_youth": ("重点青少年", "At-risk youth", True),
}
SPECIAL_GROUP_TAGS = tuple(code for code, (_, _, special) in TAGS.items() if special)

TAG_SOURCES = ("grid_worker", "department", "import", "clerk", "staff", "system")


def tag_codes_text(tags: list[dict[str, str]]) -> str:
    """The ``,a,b,`` form stored beside the tags for portable ``LIKE '%,a,%'`` filters."""
    codes = sorted({t["code"] for t in tags})
    return "," + ",".join(codes) + "," if codes else ""


def tag_condition_sql(code: str) -> str:
    """The SQL condition "has tag ``code``", written exactly as the tag's partial index says it
    (``ix_persons_tag_<code>``), so both databases use that index for a tag filter."""
    if code not in TAGS:
        raise ValueError(code)
    return f"tag_codes LIKE '%,{code},%'"
