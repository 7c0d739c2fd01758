"""The words of the redivision codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "redivision.change",
    {
        "added": N_("新增"),
        "split": N_("拆分"),
        "merged": N_("合并"),
        "adjusted": N_("调整"),
        "retired": N_("撤销"),
        "none": N_("不变"),
    },
)

add_vocabulary(
    "redivision.solver",
    {
        "optimal": N_("最优（误差 1% 内）"),
        "feasible": N_("可行（到达计算时限）"),
        "edited": N_("已手工调整"),
    },
)

add_vocabulary(
    "redivision.state",
    {
        "draft": N_("待审批"),
        "scheduled": N_("已批准，待生效"),
        "approved": N_("已批准并生效"),
        "rejected": N_("已退回"),
        "lapsed": N_("已失效（生效前楼栋或网格有变化）"),
    },
)
