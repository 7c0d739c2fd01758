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
