"""Every UI string of the dashboard and ledger pages (zh-CN and English), in one place."""

from __future__ import annotations

from gridgov.web.i18n import add_messages

MESSAGES: dict[str, dict[str, str]] = {
    "dash.nav": {"zh-CN": "指挥大屏", "en": "Dashboard"},
    "dash.title": {"zh-CN": "网格化治理监督指挥大屏", "en": "Supervision dashboard"},
    "dash.city": {"zh-CN": "全市", "en": "City"},
    "dash.indicator": {"zh-CN": "着色指标", "en": "Colour by"},
    "dash.ind.persons": {"zh-CN": "实有人口", "en": "Persons"},
    "dash.ind.households": {"zh-CN": "户数", "en": "Households"},
    "dash.ind.floating": {"zh-CN": "流动人口", "en": "Floating population"},
    "dash.ind.elderly": {"zh-CN": "老年人", "en": "Elderly"},
    "dash.ind.elderly_alone": {"zh-CN": "独居老人", "en": "Elderly living alone"},
    "dash.ind.special_groups": {"zh-CN": "特殊人群", "en": "Special populations"},
    "dash.ind.facilities": {"zh-CN": "部件数", "en": "Facilities"},
    "dash.ind.open_cases": {"zh-CN": "在办案件", "en": "Open cases"},
    "dash.ind.overdue_cases": {"zh-CN": "超期案件", "en": "Overdue cases"},
    "dash.layers": {"zh-CN": "图层", "en": "Layers"},
    "dash.case_heat": {"zh-CN": "在办案件热力", "en": "Open cases (heat)"},
    "dash.bigscreen": {"zh-CN": "大屏模式", "en": "Big screen"},
    "dash.exit_bigscreen": {"zh-CN": "退出大屏", "en": "Leave big screen"},
    "dash.ledger": {"zh-CN": "导出台账", "en": "Ledger"},
    "dash.updated": {"zh-CN": "更新于", "en": "Updated"},
    "dash.kpi.grids": {"zh-CN": "网格", "en": "Grids"},
    "dash.kpi.persons": {"zh-CN": "实有人口", "en": "Persons"},
    "dash.kpi.households": {"zh-CN": "户数", "en": "Households"},
    "dash.kpi.special": {"zh-CN": "特殊人群", "en": "Special populations"},
    "dash.kpi.open": {"zh-CN": "在办案件", "en": "Open cases"},
    "dash.kpi.overdue": {"zh-CN": "超期案件", "en": "Overdue"},
    "dash.kpi.today": {"zh-CN": "今日受理", "en": "Reported today"},
    "dash.kpi.closed_today": {"zh-CN": "今日结案", "en": "Closed today"},
    "dash.chart.channels": {"zh-CN": "每日案件量（按来源渠道）", "en": "Cases per day by channel"},
    "dash.chart.trend": {"zh-CN": "结案率与按时结案率", "en": "Closure and on-time rates"},
    "dash.chart.overdue": {"zh-CN": "各部门超期案件", "en": "Overdue cases by department"},
    "dash.chart.ranking": {
        "zh-CN": "部门按时结案率排名（近30天）",
        "en": "Departments by on-time closure (30 days)",
    },
    "dash.chart.scores": {
        "zh-CN": "部门考评得分排名（近30天）",
        "en": "Departments by evaluation score (30 days)",
    },
    "dash.score": {"zh-CN": "考评得分", "en": "Score"},
    "dash.closure_rate": {"zh-CN": "结案率", "en": "Closure rate"},
    "dash.on_time_rate": {"zh-CN": "按时结案率", "en": "On-time rate"},
    "dash.open": {"zh-CN": "在办", "en": "Open"},
    "dash.overdue": {"zh-CN": "超期", "en": "Overdue"},
    "dash.hint": {
        "zh-CN": "点击区域逐级下钻：区 → 街道 → 社区 → 网格",
        "en": "Click a region to drill down: district → street → community → grid",
    },
    "dash.grid.worker": {"zh-CN": "网格员", "en": "Grid worker"},
    "dash.grid.patrol": {"zh-CN": "今日巡查", "en": "Today's patrol"},
    "dash.grid.patrol_none": {"zh-CN": "今日未巡查", "en": "No patrol today"},
    "dash.grid.patrol_running": {"zh-CN": "巡查中", "en": "patrolling"},
    "dash.grid.duty_met": {"zh-CN": "已达标", "en": "duty met"},
    "dash.grid.duty_not_met": {"zh-CN": "未达标", "en": "duty not met"},
    "dash.grid.hours": {"zh-CN": "小时", "en": "h"},
    "dash.grid.cases": {"zh-CN": "在办 / 超期案件", "en": "Open / overdue cases"},
    "dash.grid.facilities": {"zh-CN": "部件设施", "en": "Facilities"},
    "dash.grid.cameras": {"zh-CN": "视频监控", "en": "Cameras"},
    "dash.grid.no_stream": {"zh-CN": "未配置视频流", "en": "no stream configured"},
    "dash.grid.open_stream": {"zh-CN": "打开视频流", "en": "Open the stream"},
    "dash.grid.none": {"zh-CN": "暂无", "en": "none"},
    "dash.loading": {"zh-CN": "加载中…", "en": "Loading…"},
    "dash.load_error": {"zh-CN": "数据加载失败", "en": "Could not load the data"},
    "ledgers.nav": {"zh-CN": "台账下载", "en": "Ledgers"},
    "ledgers.title": {"zh-CN": "台账下载", "en": "Ledger downloads"},
    "ledgers.on_demand": {"zh-CN": "按需生成", "en": "Make a ledger now"},
    "ledgers.kind": {"zh-CN": "台账", "en": "Ledger"},
    "ledgers.region": {
        "zh-CN": "区域编码（留空为本人辖区）",
        "en": "Region code (blank: your area)",
    },
    "ledgers.start": {"zh-CN": "开始日期", "en": "From"},
    "ledgers.end": {"zh-CN": "结束日期", "en": "To"},
    "ledgers.download": {"zh-CN": "下载", "en": "Download"},
    "ledgers.monthly": {
        "zh-CN": "月度台账（系统自动生成）",
        "en": "Monthly ledgers (made by the system)",
    },
    "ledgers.period": {"zh-CN": "统计期间", "en": "Period"},
    "ledgers.rows": {"zh-CN": "行数", "en": "Rows"},
    "ledgers.file": {"zh-CN": "文件", "en": "File"},
    "ledgers.none": {"zh-CN": "暂无月度台账", "en": "No monthly ledgers yet"},
    "ledgers.period_note": {
        "zh-CN": "人口类台账为截至今日的状态，不需要统计期间。",
        "en": "Population ledgers are the state as of today and need no period.",
    },
}

# The strings the dashboard's script shows (passed to it as JSON).
JS_KEYS = [key for key in MESSAGES if key.startswith("dash.")]


def install() -> None:
    add_messages(MESSAGES)
