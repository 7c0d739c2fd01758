"""The words of the case codes people see (states, moves, priorities, channels, deadline steps);
pages and the phone app show them through ``|label("case_state")`` etc."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary, ngettext
from gridgov.workcal.calendar import MINUTES_PER_WORKING_DAY

add_vocabulary(
    "case_state",
    {
        "reported": N_("待受理"),
        "registered": N_("已立案"),
        "cancelled": N_("已作废"),
        "dispatched": N_("已派遣"),
        "accepted": N_("处置中"),
        "handled": N_("待核查"),
        "verified": N_("已核查"),
        "closed": N_("已结案"),
        "on_hold": N_("挂账"),
        "merged": N_("已合并"),
    },
)
add_vocabulary(
    "case_move",
    {
        "report": N_("上报"),
        "recalculate": N_("期限重算"),
        "amend": N_("补充更正"),
        "register": N_("立案"),
        "request_cancel": N_("作废申请"),
        "cancel": N_("作废"),
        "reject_cancel": N_("作废驳回"),
        "merge": N_("合并为重复案件"),
        "dispatch": N_("派遣"),
        "accept": N_("签收"),
        "request_return": N_("回退申请"),
        "approve_return": N_("回退批准"),
        "reject_return": N_("回退驳回"),
        "feedback": N_("处置反馈"),
        "verify": N_("核查"),
        "close": N_("结案"),
        "rework": N_("返工"),
        "request_extension": N_("延期申请"),
        "approve_extension": N_("延期批准"),
        "reject_extension": N_("延期驳回"),
        "hold": N_("挂账"),
        "resume": N_("恢复"),
        "supervise": N_("督办"),
    },
)
add_vocabulary(
    "case_priority", {"normal": N_("一般"), "urgent": N_("紧急"), "critical": N_("特急")}
)
add_vocabulary(
    "case_channel",
    {
        "worker_app": N_("网格员上报"),
        "hotline": N_("热线电话"),
        "web": N_("网站表单"),
        "open311": N_("Open311 应用"),
        "sms": N_("短信"),
        "email": N_("电子邮件"),
        "walk_in": N_("来访"),
        "letter": N_("来信"),
        "transfer": N_("部门转办"),
        "video": N_("视频巡查"),
    },
)
add_vocabulary(
    "case_step",
    {"register": N_("立案"), "dispatch": N_("派遣"), "handle": N_("处置"), "verify": N_("核查")},
)
add_vocabulary(
    "deadline_status",
    {"ok": N_("正常"), "warning": N_("预警"), "overdue": N_("超期"), "paused": N_("暂停计时")},
)
add_vocabulary("verify_result", {"pass": N_("通过"), "fail": N_("未通过")})
add_vocabulary("supervision_level", {"1": N_("黄牌"), "2": N_("红牌")})

add_vocabulary(
    "approvals",
    {
        "nav": N_("待审批"),
        "title": N_("待审批的申请"),
        "empty": N_("没有待审批的申请。"),
        "kind": N_("申请"),
        "by": N_("申请人"),
        "reason": N_("理由"),
        "extension": N_("延期"),
        "return": N_("回退"),
        "cancel": N_("作废"),
        "approve": N_("批准"),
        "reject": N_("驳回"),
        "note": N_("审批意见"),
        "case": N_("案件"),
        "department": N_("责任部门"),
        "category": N_("类别"),
        "at": N_("申请时间"),
        "amount": N_("延期时长"),
        "unit_days": N_("工作日"),
        "unit_hours": N_("工作小时"),
    },
)

add_vocabulary(
    "centre.sort",
    {
        "reported": N_("最新上报"),
        "reported_asc": N_("最早上报"),
        "due": N_("最先到期"),
        "priority": N_("紧急程度"),
    },
)

add_vocabulary(
    "track.s",
    {
        "atisfaction": N_("满意度"),
        "5": N_("非常满意"),
        "4": N_("满意"),
        "3": N_("一般"),
        "2": N_("不满意"),
        "1": N_("非常不满意"),
        "end": N_("提交评价"),
    },
)


def working_time(minutes: int, language: str) -> str:
    """Working time as people say it: whole working days, else working hours ("2 个工作日",
    "1 working day", "1.5 working hours")."""
    if minutes % MINUTES_PER_WORKING_DAY == 0:
        days = minutes // MINUTES_PER_WORKING_DAY
        return ngettext(language, "%(num)s 个工作日", "%(num)s 个工作日", days)
    hours = f"{minutes / 60:g}"
    # The plural form of a fraction ("1.5 hours") is the plural: only exactly one is singular.
    one = 1 if minutes == 60 else 2
    return ngettext(language, "%(hours)s 个工作小时", "%(hours)s 个工作小时", one, hours=hours)
