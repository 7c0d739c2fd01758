"""The words of the lifecycle codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "lifecycle.dept",
    {
        "computed": N_("系统计算"),
        "lifecycle": N_("生活事项"),
        "task": N_("任务"),
        "grid_worker": N_("网格员"),
        "staff": N_("工作人员"),
        "import": N_("导入"),
        "api": N_("接口"),
        "web": N_("网页"),
        "field": N_("移动端"),
        "system": N_("系统"),
        "test": N_("测试"),
        "statistics": N_("统计"),
        "CG": N_("城市管理局"),
        "SZ": N_("市政设施管理处"),
        "HW": N_("环境卫生管理处"),
        "YL": N_("园林局"),
        "GA": N_("公安局"),
        "SCJG": N_("市场监督管理局（工商）"),
        "ZJ": N_("住房和城乡建设局（房管）"),
        "WJ": N_("卫生健康委员会"),
        "MZ": N_("民政局"),
        "RS": N_("人力资源和社会保障局"),
        "SW": N_("水务局"),
        "GD": N_("供电公司"),
        "XF": N_("消防救援支队"),
        "HB": N_("生态环境局"),
        "JY": N_("教育局"),
        "RWB": N_("人民武装部"),
    },
)

add_vocabulary(
    "lifecycle.entry",
    {
        "version": N_("人口库版本"),
        "event": N_("事件"),
        "task": N_("任务"),
        "service": N_("代办"),
        "record": N_("部门记录"),
        "case": N_("案件"),
    },
)

add_vocabulary(
    "lifecycle.case_why",
    {
        "home": N_("住址相关"),
        "reported": N_("本人反映"),
    },
)

add_vocabulary(
    "lifecycle.relation",
    {
        "mother": N_("母亲"),
        "father": N_("父亲"),
        "child": N_("子女"),
    },
)

add_vocabulary(
    "lifecycle.stage",
    {
        "registered": N_("户籍人口"),
        "floating_registered": N_("流动人口已登记"),
        "permit": N_("居住证有效"),
        "expiring": N_("居住证即将到期"),
        "expired": N_("居住证已过期"),
        "moved_away": N_("已迁离"),
    },
)

add_vocabulary(
    "lifecycle.state",
    {
        "tasked": N_("已派发任务"),
        "done": N_("已办结"),
        "finding": N_("待处理"),
        "resolved": N_("已处理"),
        "applied": N_("已更新人口库"),
        "no_rule": N_("无对应规则"),
        "open": N_("在办"),
        "handed_over": N_("已移交部门"),
        "rejected": N_("退回"),
        "cancelled": N_("已撤销"),
        "declared": N_("待审批"),
        "approved": N_("已批准"),
        "accepted": N_("已接收"),
        "alive": N_("健在"),
        "deceased": N_("已故"),
        "moved_away": N_("已迁出"),
    },
)

add_vocabulary(
    "lifecycle.type",
    {
        "birth": N_("出生"),
        "id_issued": N_("身份证首次申领办结"),
        "death": N_("死亡"),
        "move_in": N_("迁入"),
        "move_out": N_("迁出"),
        "permit_issued": N_("居住证签发"),
        "permit_renewed": N_("居住证续签"),
        "permit_expiring": N_("居住证即将到期"),
        "kindergarten_entry": N_("入园"),
        "school_entry": N_("入学"),
        "enlistment": N_("应征入伍"),
        "employment": N_("就业登记"),
        "marriage": N_("结婚登记"),
        "turning_60": N_("年满60周岁"),
        "turning_80": N_("年满80周岁"),
        "child_16_without_id": N_("年满16周岁未领身份证"),
    },
)
