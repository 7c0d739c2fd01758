"""The words of the dashboard codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "dash.ind",
    {
        "persons": N_("实有人口"),
        "households": N_("户数"),
        "floating": N_("流动人口"),
        "elderly": N_("老年人"),
        "elderly_alone": N_("独居老人"),
        "special_groups": N_("特殊人群"),
        "facilities": N_("部件数"),
        "open_cases": N_("在办案件"),
        "overdue_cases": N_("超期案件"),
    },
)
