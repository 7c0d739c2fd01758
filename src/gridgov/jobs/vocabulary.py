"""The words of the jobs codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "jobs.kind",
    {
        "schedule": N_("按计划"),
        "catch-up": N_("补跑"),
        "manual": N_("手动"),
    },
)
