"""The words of the field-work codes people see (what a module collects about, sync conflicts)."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "subject_type",
    {
        "person": N_("人员"),
        "household": N_("户"),
        "house": N_("房屋"),
        "organisation": N_("单位"),
        "facility": N_("部件设施"),
    },
)
add_vocabulary(
    "conflict_kind",
    {
        "stale": N_("数据已被他人修改"),
        "id_exists": N_("证件号码已登记"),
        "uuid_mismatch": N_("同一编号的记录内容不同"),
    },
)

add_vocabulary(
    "submissions.kind",
    {
        "form": N_("采集表单"),
        "report": N_("问题上报"),
        "task_result": N_("任务结果"),
    },
)
add_vocabulary(
    "submissions.field",
    {
        "result": N_("核查结论"),
        "note": N_("说明"),
        "photos": N_("照片"),
        "category": N_("类别"),
        "description": N_("问题描述"),
        "reason": N_("原因"),
    },
)
add_vocabulary("submissions.result", {"pass": N_("通过"), "fail": N_("不通过")})
