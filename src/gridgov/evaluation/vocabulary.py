"""The words of the evaluation codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "evaluation.state",
    {
        "pending": N_("申诉待裁决"),
        "upheld": N_("申诉成立"),
        "rejected": N_("申诉驳回"),
    },
)
add_vocabulary(
    "evaluation.level",
    {
        "person": N_("网格员"),
        "department": N_("责任单位"),
        "grid": N_("网格"),
        "community": N_("社区"),
        "street": N_("街道"),
        "district": N_("区"),
    },
)
add_vocabulary(
    "evaluation.period",
    {"day": N_("日"), "week": N_("周"), "month": N_("月"), "quarter": N_("季度")},
)
