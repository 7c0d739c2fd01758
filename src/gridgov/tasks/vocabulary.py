"""The words of the task codes people see: states and the reasons a worker refuses a task."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

STATES = {
    "open": N_("待接收"),
    "accepted": N_("已接收"),
    "done": N_("已完成"),
    "cancelled": N_("已取消"),
    "refused": N_("已拒绝"),
}
# Why a worker refuses a task (the phone app offers these; free text may go with any, or alone).
REFUSAL_REASONS = {
    "not_my_grid": N_("不属于本网格"),
    "not_admitted": N_("未经准入的事项"),
    "duplicate": N_("重复派发"),
    "unreachable": N_("对象无法联系或不存在"),
    "beyond_duty": N_("超出网格员职责"),
    "other": N_("其他原因"),
}

add_vocabulary("task.state", STATES)
add_vocabulary("task.refusal_reason", REFUSAL_REASONS)
