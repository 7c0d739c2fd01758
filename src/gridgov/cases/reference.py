"""Reference data seeded by the migration ``20261125_cases``: departments and case categories.

Category codes follow the component (部件) and event (事件) classes of GB/T 30428.2 / CJ/T 214:
``C`` + 2-digit major + 2-digit minor for components, ``E`` … for events; majors (``C01``) group
minor classes and are never put on a case. Deadlines are working minutes per step (one working
day = 420 minutes: 08:30–12:00 and 14:00–17:30). E07 is a local extension for social services.
"""

from __future__ import annotations

from typing import Any

DAY = 420  # working minutes in one working day

# code, name, English name
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("CG", "城市管理局", "Urban Management"),
    ("SZ", "市政设施管理处", "Municipal Engineering"),
    ("HW", "环境卫生管理处", "Sanitation"),
    ("YL", "园林局", "Landscaping and Parks"),
    ("GA", "公安局", "Public Security (incl. traffic police)"),
    ("SCJG", "市场监督管理局（工商）", "Market Regulation (Commerce)"),
    ("ZJ", "住房和城乡建设局（房管）", "Housing and Construction"),
    ("WJ", "卫生健康委员会", "Health Commission"),
    ("MZ", "民政局", "Civil Affairs"),
    ("RS", "人力资源和社会保障局", "Human Resources and Social Security"),
    ("SW", "水务局", "Water Authority"),
    ("GD", "供电公司", "Power Supply"),
    ("XF", "消防救援支队", "Fire and Rescue"),
    ("HB", "生态环境局", "Ecology and Environment"),
)

# Major classes: code, kind, name, English name
MAJORS: tuple[tuple[str, str, str, str], ...] = (
    ("C01", "component", "公用设施", "Public utilities"),
    ("C02", "component", "道路交通", "Roads and traffic"),
    ("C03", "component", "市容环境", "Street appearance"),
    ("C04", "component", "园林绿化", "Landscaping"),
    ("C05", "component", "房屋土地", "Buildings and land"),
    ("C06", "component", "其他设施", "Other facilities"),
    ("E01", "event", "市容环境", "Street appearance"),
    ("E02", "event", "宣传广告", "Advertising"),
    ("E03", "event", "施工管理", "Construction"),
    ("E04", "event", "突发事件", "Emergencies"),
    ("E05", "event", "街面秩序", "Street order"),
    ("E06", "event", "其他事件", "Other events"),
    ("E07", "event", "社会服务（扩展）", "Social services (extension)"),
)

# Minor classes: code, name, English name, department, handle minutes, unit,
# (register, dispatch, verify) minutes or None for the defaults (60, 60, 240).
MINORS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("C0101", "上水井盖", "Water-supply manhole cover", "SW", 2 * DAY, "days"),
    ("C0102", "污水井盖", "Sewage manhole cover", "SZ", 2 * DAY, "days"),
    ("C0103", "雨水井盖", "Storm-drain manhole cover", "SZ", 2 * DAY, "days"),
    ("C0104", "电力井盖", "Power manhole cover", "GD", 2 * DAY, "days"),
    ("C0105", "消防栓", "Fire hydrant", "XF", 3 * DAY, "days"),
    ("C0106", "路灯", "Street lamp", "SZ", 3 * DAY, "days"),
    ("C0107", "监控电子眼", "Surveillance camera", "GA", 5 * DAY, "days"),
    ("C0201", "交通信号灯", "Traffic light", "GA", 240, "hours"),
    ("C0202", "交通标志牌", "Traffic sign", "GA", 3 * DAY, "days"),
    ("C0203", "道路护栏", "Road guardrail", "SZ", 3 * DAY, "days"),
    ("C0204", "过街天桥", "Pedestrian bridge", "SZ", 5 * DAY, "days"),
    ("C0301", "公共厕所", "Public toilet", "HW", 2 * DAY, "days"),
    ("C0302", "垃圾箱", "Litter bin", "HW", 2 * DAY, "days"),
    ("C0303", "垃圾间（楼）", "Refuse station", "HW", 3 * DAY, "days"),
    ("C0401", "古树名木", "Heritage tree", "YL", 3 * DAY, "days"),
    ("C0402", "行道树", "Street tree", "YL", 3 * DAY, "days"),
    ("C0403", "绿地", "Green space", "YL", 5 * DAY, "days"),
    ("C0501", "危房", "Dangerous building", "ZJ", 5 * DAY, "days"),
    ("C0601", "其他设施", "Other facility", "CG", 5 * DAY, "days"),
    ("E0101", "私搭乱建", "Illegal structure", "CG", 5 * DAY, "days"),
    ("E0102", "暴露垃圾", "Exposed garbage", "HW", 240, "hours"),
    ("E0103", "积存垃圾渣土", "Accumulated waste and muck", "HW", DAY, "days"),
    ("E0104", "道路不洁", "Dirty road", "HW", 240, "hours"),
    ("E0105", "水域不洁", "Dirty water surface", "HW", DAY, "days"),
    ("E0106", "绿地脏乱", "Littered green space", "YL", DAY, "days"),
    ("E0201", "非法小广告", "Illegal small adverts", "CG", DAY, "days"),
    ("E0202", "违章张贴悬挂", "Unauthorised posters and banners", "CG", DAY, "days"),
    ("E0203", "占道广告牌", "Advertising board on the road", "CG", 3 * DAY, "days"),
    ("E0301", "施工扰民", "Construction noise", "HB", DAY, "days"),
    ("E0302", "施工占道", "Construction occupying the road", "CG", 2 * DAY, "days"),
    ("E0303", "道路破损", "Damaged road surface", "SZ", 3 * DAY, "days"),
    ("E0401", "路面塌陷", "Road subsidence", "SZ", 120, "hours"),
    ("E0402", "自来水管破裂", "Burst water main", "SW", 120, "hours"),
    ("E0403", "燃气管道泄漏", "Gas leak", "ZJ", 60, "hours"),
    ("E0404", "下水道堵塞或破损", "Blocked or broken sewer", "SZ", 240, "hours"),
    ("E0405", "火灾隐患", "Fire hazard", "XF", 120, "hours"),
    ("E0406", "道路积水", "Flooded road", "SZ", 240, "hours"),
    ("E0501", "无照经营游商", "Unlicensed street vendor", "SCJG", DAY, "days"),
    ("E0502", "店外经营（占道经营）", "Trading on the pavement", "CG", 240, "hours"),
    ("E0503", "机动车乱停放", "Illegally parked car", "GA", 120, "hours"),
    ("E0504", "非机动车乱停放", "Badly parked bicycles", "CG", 240, "hours"),
    ("E0505", "露天烧烤", "Open-air barbecue", "CG", 120, "hours"),
    ("E0601", "其他事件", "Other event", "CG", 5 * DAY, "days"),
    ("E0701", "矛盾纠纷", "Neighbourhood dispute", "MZ", 3 * DAY, "days"),
    ("E0702", "特殊人群服务", "Service for vulnerable people", "MZ", 5 * DAY, "days"),
    ("E0703", "社保就业诉求", "Social security or employment request", "RS", 5 * DAY, "days"),
    ("E0704", "公共卫生隐患", "Public health hazard", "WJ", 2 * DAY, "days"),
    ("E0705", "食品安全", "Food safety", "SCJG", 2 * DAY, "days"),
    ("E0706", "房屋租赁隐患", "Rental housing hazard", "ZJ", 5 * DAY, "days"),
)

# Open311 service-definition attributes of a few categories.
ATTRIBUTES: dict[str, list[dict[str, Any]]] = {
    "E0102": [
        {
            "variable": True,
            "code": "volume",
            "datatype": "singlevaluelist",
            "required": False,
            "datatype_description": "",
            "order": 1,
            "description": "垃圾量 / Amount of garbage",
            "values": [
                {"key": "small", "name": "少量 / small"},
                {"key": "medium", "name": "一车以内 / up to one cart"},
                {"key": "large", "name": "大量 / more than one cart"},
            ],
        }
    ],
    "E0503": [
        {
            "variable": True,
            "code": "plate",
            "datatype": "string",
            "required": False,
            "datatype_description": "车牌号 / licence plate",
            "order": 1,
            "description": "车牌号 / Licence plate",
        }
    ],
}


def department_rows() -> list[dict[str, Any]]:
    return [
        {"code": code, "name": name, "name_en": name_en, "active": True}
        for code, name, name_en in DEPARTMENTS
    ]


def category_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for order, (code, kind, name, name_en) in enumerate(MAJORS):
        rows.append(
            {
                "code": code,
                "kind": kind,
                "major_code": code[1:3],
                "minor_code": None,
                "parent_code": None,
                "name": name,
                "name_en": name_en,
                "department_code": None,
                "register_minutes": 60,
                "dispatch_minutes": 60,
                "handle_minutes": DAY,
                "verify_minutes": 240,
                "handle_unit": "days",
                "warn_share": 0.7,
                "attributes": None,
                "active": True,
                "sort_order": order * 100,
            }
        )
    for order, (code, name, name_en, department, handle, unit) in enumerate(MINORS):
        urgent = handle <= 120
        rows.append(
            {
                "code": code,
                "kind": "component" if code.startswith("C") else "event",
                "major_code": code[1:3],
                "minor_code": code[3:5],
                "parent_code": code[:3],
                "name": name,
                "name_en": name_en,
                "department_code": department,
                "register_minutes": 30 if urgent else 60,
                "dispatch_minutes": 30 if urgent else 60,
                "handle_minutes": handle,
                "verify_minutes": 120 if urgent else 240,
                "handle_unit": unit,
                "warn_share": 0.7,
                "attributes": ATTRIBUTES.get(code),
                "active": True,
                "sort_order": 10_000 + order,
            }
        )
    return rows
