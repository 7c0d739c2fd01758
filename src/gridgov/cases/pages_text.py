"""zh-CN / English strings of the case pages."""

from __future__ import annotations

from gridgov.cases.states import RULES, State
from gridgov.web.i18n import add_messages

STATE_NAMES = {
    State.REPORTED: ("待受理", "Reported"),
    State.REGISTERED: ("已立案", "Registered"),
    State.CANCELLED: ("已作废", "Cancelled"),
    State.DISPATCHED: ("已派遣", "Dispatched"),
    State.ACCEPTED: ("处置中", "Accepted"),
    State.HANDLED: ("待核查", "Awaiting verification"),
    State.VERIFIED: ("已核查", "Verified"),
    State.CLOSED: ("已结案", "Closed"),
    State.ON_HOLD: ("挂账", "On hold"),
    State.MERGED: ("已合并", "Merged"),
}

TEXT = {
    "cases.nav.list": ("案件", "Cases"),
    "cases.nav.new": ("受理登记", "Intake"),
    "cases.nav.queue": ("派遣队列", "Dispatch queue"),
    "cases.nav.inbox": ("部门待办", "Department inbox"),
    "cases.title.list": ("案件列表", "Cases"),
    "cases.title.queue": (
        "派遣队列：待立案、待派遣、待结案",
        "Queue: to register, dispatch, close",
    ),
    "cases.title.inbox": ("本部门待处置案件", "Cases dispatched to my department"),
    "cases.title.new": ("受理登记（热线、来访、来信…）", "Intake (hotline, walk-in, letter …)"),
    "cases.number": ("受理编号", "Number"),
    "cases.state": ("状态", "State"),
    "cases.category": ("类别", "Category"),
    "cases.grid": ("网格", "Grid"),
    "cases.department": ("责任部门", "Department"),
    "cases.channel": ("渠道", "Channel"),
    "cases.priority": ("紧急程度", "Priority"),
    "cases.description": ("问题描述", "Description"),
    "cases.address": ("地址", "Address"),
    "cases.location": ("位置（在地图上点选）", "Location (click on the map)"),
    "cases.map.locate": ("使用我的位置", "Use my location"),
    "cases.map.outside": (
        "该位置不在本市范围内，请在城市边界内点选",
        "That place is outside the city: pick a point inside its outline",
    ),
    "cases.map.no_location": (
        "无法获取您的位置，请在地图上点选",
        "Your location is not available: pick the place on the map",
    ),
    "cases.reporter": ("反映人", "Reporter"),
    "cases.phone": ("联系电话", "Phone"),
    "cases.callback": ("查看完整号码", "Show full number"),
    "cases.callback_purpose": ("查看目的（如：回访核实）", "Purpose (e.g. call back to verify)"),
    "cases.photos": ("照片", "Photos"),
    "cases.reported_at": ("上报时间", "Reported"),
    "cases.deadline": ("本环节时限", "Step deadline"),
    "cases.overdue": ("超期", "Overdue"),
    "cases.all": ("全部", "All"),
    "cases.filter": ("筛选", "Filter"),
    "cases.save": ("保存", "Save"),
    "cases.submit": ("提交", "Submit"),
    "cases.timeline": ("办理过程", "Timeline"),
    "cases.moves": ("办理", "Actions"),
    "cases.note": ("意见 / 说明", "Note"),
    "cases.duplicates": ("附近同类未办结案件（可能重复）", "Open cases of this category nearby"),
    "cases.none": ("没有案件", "No cases"),
    "cases.created": ("已登记。", "Saved."),
    "cases.supervision": ("督办", "Supervision"),
    "cases.rework": ("返工次数", "Reworks"),
    "cases.calendar_warning": ("日历提示", "Calendar warning"),
    "cases.extension": ("延期申请（工作分钟）", "Extension requested (working minutes)"),
    "cases.result": ("核查结论", "Verification result"),
    "cases.pending": ("待审批", "Waiting for approval"),
    "cases.pass": ("通过", "Passed"),
    "cases.fail": ("未通过", "Failed"),
    "cases.minutes": ("延期时长（工作分钟）", "Extension (working minutes)"),
    "cases.level": ("督办级别", "Level"),
    "cases.yellow": ("黄牌", "Yellow card"),
    "cases.red": ("红牌", "Red card"),
    "cases.target": ("合并到受理编号", "Merge into number"),
    "cases.public.title": ("我要反映问题", "Report a problem"),
    "cases.public.intro": (
        "请描述问题并在地图上点选位置，提交后可凭受理编号查询办理进度。",
        "Describe the problem and pick the place on the map; follow it with the tracking number.",
    ),
    "cases.track.title": ("办理进度查询", "Follow your report"),
    "cases.track.new": ("提交成功，请记下受理编号：", "Thank you. Your tracking number:"),
    "cases.track.lookup": ("查询", "Look up"),
    "cases.deadline.ok": ("正常", "on time"),
    "cases.deadline.warning": ("预警", "warning"),
    "cases.deadline.overdue": ("超期", "overdue"),
    "cases.deadline.paused": ("暂停计时", "paused"),
    "cases.prev": ("上一页", "Previous"),
    "cases.next": ("下一页", "Next"),
    "cases.total": ("共 {n} 件", "{n} cases"),
}


def install() -> None:
    messages = {key: {"zh-CN": zh, "en": en} for key, (zh, en) in TEXT.items()}
    for state, (zh, en) in STATE_NAMES.items():
        messages[f"cases.state.{state.value}"] = {"zh-CN": zh, "en": en}
    for move, rule in RULES.items():
        messages[f"cases.move.{move.value}"] = {"zh-CN": rule.label, "en": rule.label_en}
    messages["cases.move.report"] = {"zh-CN": "上报", "en": "Reported"}
    messages["cases.move.recalculate"] = {"zh-CN": "期限重算", "en": "Deadline recomputed"}
    add_messages(messages)
