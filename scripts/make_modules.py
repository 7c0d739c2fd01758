"""Generate the reference city's nine collection modules as XLSForm files.

    python scripts/make_modules.py            # writes src/gridgov/modules/*.xlsx

Each module is a survey / choices / settings workbook in the ODK XLSForm convention, with labels
in Chinese and English. The generated files are committed; this script is how they are changed.
Every file is checked by pyxform and by gridgov's own parser before it is written, and only a
module whose definition changed is written (a workbook's bytes differ at every save, and a new
file is a new version in every database): give a changed module a higher ``version`` below, so
``gridgov modules install-defaults`` installs it over the older one.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "gridgov" / "modules"

YES_NO = [("yes", "是", "Yes"), ("no", "否", "No")]
ID_RULE = "regex(., '^[1-9][0-9]{16}[0-9X]$')"
PHONE_RULE = "regex(., '^1[3-9][0-9]{9}$')"

# (type, name, zh, en, extra columns)
Q = tuple[str, str, str, str, dict[str, str]]


def q(type_: str, name: str, zh: str, en: str, **extra: str) -> Q:
    return (type_, name, zh, en, extra)


# The settings ``version`` of a module unless it says otherwise (YYYYMMDDnn, ODK's habit).
FIRST_VERSION = "2026112501"

MODULES: list[dict[str, Any]] = [
    {
        "form_id": "population",
        "title": ("实有人口采集", "Population"),
        "target": "person",
        # 2026112601: the move-in date writes the person's moved_in_on.
        "version": "2026112601",
        "survey": [
            q("text", "name", "姓名", "Name", required="yes", gridgov_field="name"),
            q(
                "text",
                "id_number",
                "公民身份号码",
                "Resident ID number",
                required="yes",
                constraint=ID_RULE,
                constraint_message="18 位身份证号码格式不正确",
                gridgov_field="id_number",
            ),
            q("select_one sex", "sex", "性别", "Sex", required="yes", gridgov_field="sex"),
            q(
                "date",
                "birth_date",
                "出生日期",
                "Date of birth",
                required="yes",
                constraint=". <= today()",
                constraint_message="出生日期不能晚于今天",
                gridgov_field="birth_date",
            ),
            q("calculate", "age", "年龄", "Age", calculation="age(${birth_date})"),
            q(
                "text",
                "phone",
                "联系电话",
                "Phone",
                constraint=PHONE_RULE,
                constraint_message="手机号码格式不正确",
                gridgov_field="phone",
            ),
            q(
                "select_one residence",
                "residence",
                "居住类型",
                "Residence",
                required="yes",
                gridgov_field="residence_type",
            ),
            q(
                "date",
                "move_in_date",
                "迁入日期",
                "Moved in on",
                relevant="${residence} = 'floating'",
                required="yes",
                constraint=". <= today()",
                gridgov_field="moved_in_on",
            ),
            q("text", "employer", "工作单位", "Employer", relevant="${age} >= 16"),
            q(
                "note",
                "privacy_note",
                "身份证号、电话仅用于人口管理，严禁外传",
                "ID numbers and phones are for the population register only",
            ),
        ],
        "choices": {
            "sex": [("M", "男", "Male"), ("F", "女", "Female")],
            "residence": [
                ("registered", "户籍人口", "Registered"),
                ("floating", "流动人口", "Floating"),
                ("foreign", "境外人员", "Foreign"),
            ],
        },
    },
    {
        "form_id": "housing",
        "title": ("实有房屋采集", "Housing"),
        "target": "house",
        "survey": [
            q(
                "text",
                "address",
                "标准地址",
                "Standard address",
                required="yes",
                gridgov_field="address",
            ),
            q(
                "select_one house_use",
                "use",
                "房屋用途",
                "Use",
                required="yes",
                gridgov_field="use",
            ),
            q(
                "select_one occupancy",
                "occupancy",
                "居住情况",
                "Occupancy",
                required="yes",
                gridgov_field="occupancy",
            ),
            q(
                "integer",
                "tenants",
                "租住人数",
                "Tenants",
                relevant="${occupancy} = 'rented'",
                required="yes",
                constraint=". >= 1 and . <= 50",
            ),
            q(
                "decimal",
                "area",
                "建筑面积（平方米）",
                "Floor area (m²)",
                constraint=". > 0 and . < 10000",
                gridgov_field="area_m2",
            ),
            q("integer", "floors", "层数", "Floors", constraint=". >= 1 and . <= 120"),
            q("geopoint", "location", "位置", "Location"),
            q("image", "photo", "房屋照片", "Photo"),
        ],
        "choices": {
            "house_use": [
                ("residence", "住宅", "Residence"),
                ("shop", "商铺", "Shop"),
                ("office", "办公", "Office"),
                ("other", "其他", "Other"),
            ],
            "occupancy": [
                ("owner", "自住", "Owner-occupied"),
                ("rented", "出租", "Rented"),
                ("vacant", "空置", "Vacant"),
            ],
        },
    },
    {
        "form_id": "environment",
        "title": ("环境卫生", "Environment and sanitation"),
        "target": None,
        "survey": [
            q("select_multiple env_issue", "issues", "发现问题", "Issues found", required="yes"),
            q("select_one severity", "severity", "严重程度", "Severity", required="yes"),
            q(
                "text",
                "other_issue",
                "其他问题说明",
                "Other issue",
                relevant="selected(${issues}, 'other')",
                required="yes",
            ),
            q(
                "text",
                "description",
                "情况描述",
                "Description",
                constraint="string-length(.) <= 500",
            ),
            q("geopoint", "location", "位置", "Location", required="yes"),
            q("image", "photo", "现场照片", "Photo", required="${severity} = 'serious'"),
        ],
        "choices": {
            "env_issue": [
                ("garbage", "暴露垃圾", "Exposed garbage"),
                ("sewage", "污水", "Sewage"),
                ("ditch", "沟渠堵塞", "Blocked ditch"),
                ("toilet", "公厕脏乱", "Dirty toilet"),
                ("other", "其他", "Other"),
            ],
            "severity": [("minor", "一般", "Minor"), ("serious", "严重", "Serious")],
        },
    },
    {
        "form_id": "family_planning",
        "title": ("计划生育", "Family planning"),
        "target": "household",
        "survey": [
            q(
                "integer",
                "children",
                "子女数",
                "Children",
                required="yes",
                constraint=". >= 0 and . <= 15",
                gridgov_field="children",
            ),
            q("select_one yes_no", "newborn", "近期有新生儿", "Newborn recently", required="yes"),
            q(
                "date",
                "newborn_birth_date",
                "新生儿出生日期",
                "Newborn's date of birth",
                relevant="${newborn} = 'yes'",
                required="yes",
                constraint=". <= today()",
            ),
            q(
                "select_one yes_no",
                "certificate",
                "已办理生育服务证",
                "Birth service certificate",
                relevant="${newborn} = 'yes'",
            ),
            q("text", "remark", "备注", "Remark"),
        ],
        "choices": {"yes_no": YES_NO},
    },
    {
        "form_id": "food_safety",
        "title": ("食品安全", "Food safety"),
        "target": "organisation",
        "survey": [
            q("text", "unit_name", "经营单位", "Business", required="yes", gridgov_field="name"),
            q(
                "select_one yes_no",
                "licence_shown",
                "证照公示",
                "Licence displayed",
                required="yes",
            ),
            q(
                "date",
                "licence_expiry",
                "许可证有效期至",
                "Licence valid until",
                relevant="${licence_shown} = 'yes'",
            ),
            q(
                "integer",
                "hygiene_score",
                "卫生评分",
                "Hygiene score",
                required="yes",
                constraint=". >= 0 and . <= 100",
                constraint_message="评分应在 0–100 之间",
            ),
            q(
                "select_multiple food_issue",
                "issues",
                "发现问题",
                "Issues",
                relevant="${hygiene_score} < 80",
            ),
            q(
                "calculate",
                "grade",
                "等级",
                "Grade",
                calculation="if(${hygiene_score} >= 90, 'A', if(${hygiene_score} >= 70, 'B', 'C'))",
            ),
            q("image", "photo", "现场照片", "Photo"),
        ],
        "choices": {
            "yes_no": YES_NO,
            "food_issue": [
                ("expired", "过期食品", "Expired food"),
                ("pests", "虫鼠害", "Pests"),
                ("storage", "储存不当", "Improper storage"),
                ("health_cert", "无健康证", "No health certificate"),
            ],
        },
    },
    {
        "form_id": "labour_security",
        "title": ("劳动保障", "Labour security"),
        "target": "person",
        "survey": [
            q(
                "select_one employment",
                "employment",
                "就业状况",
                "Employment",
                required="yes",
                gridgov_field="employment",
            ),
            q(
                "date",
                "unemployed_since",
                "失业时间",
                "Unemployed since",
                relevant="${employment} = 'unemployed'",
                required="yes",
                constraint=". <= today()",
            ),
            q("select_multiple insurance", "insurance", "参保情况", "Social insurance"),
            q("select_one yes_no", "wage_arrears", "存在欠薪", "Wage arrears", required="yes"),
            q(
                "decimal",
                "arrears_amount",
                "欠薪金额（元）",
                "Amount owed (yuan)",
                relevant="${wage_arrears} = 'yes'",
                required="yes",
                constraint=". > 0",
            ),
            q("text", "training_need", "培训需求", "Training needed"),
        ],
        "choices": {
            "yes_no": YES_NO,
            "employment": [
                ("employed", "在业", "Employed"),
                ("unemployed", "失业", "Unemployed"),
                ("retired", "退休", "Retired"),
                ("student", "在校", "Student"),
            ],
            "insurance": [
                ("pension", "养老保险", "Pension"),
                ("medical", "医疗保险", "Medical"),
                ("unemployment", "失业保险", "Unemployment"),
                ("injury", "工伤保险", "Work injury"),
            ],
        },
    },
    {
        "form_id": "facility_inspection",
        "title": ("设施巡查", "Facilities inspection"),
        "target": None,
        "survey": [
            q(
                "text",
                "facility_code",
                "部件编码",
                "Component code",
                required="yes",
                constraint="regex(., '^[0-9]{16}$')",
                constraint_message="部件编码为 16 位数字",
            ),
            q("select_one facility_status", "status", "状态", "Status", required="yes"),
            q(
                "text",
                "damage",
                "损坏情况",
                "Damage",
                relevant="${status} != 'normal'",
                required="yes",
            ),
            q("image", "photo", "照片", "Photo", relevant="${status} != 'normal'", required="yes"),
            q("geopoint", "location", "位置", "Location"),
        ],
        "choices": {
            "facility_status": [
                ("normal", "完好", "Normal"),
                ("damaged", "损坏", "Damaged"),
                ("missing", "丢失", "Missing"),
            ],
        },
    },
    {
        "form_id": "disputes",
        "title": ("矛盾纠纷排查", "Disputes and conflicts"),
        "target": None,
        "survey": [
            q("select_one dispute_type", "dispute_type", "纠纷类型", "Type", required="yes"),
            q("integer", "parties", "当事人数", "Parties", required="yes", constraint=". >= 2"),
            q("select_one risk", "risk", "风险等级", "Risk", required="yes"),
            q(
                "text",
                "summary",
                "纠纷概况",
                "Summary",
                required="yes",
                constraint="string-length(.) >= 5",
            ),
            q("select_one yes_no", "mediated", "已调解", "Mediated", required="yes"),
            q(
                "text",
                "mediation_result",
                "调解结果",
                "Result",
                relevant="${mediated} = 'yes'",
                required="yes",
            ),
        ],
        "choices": {
            "yes_no": YES_NO,
            "dispute_type": [
                ("neighbour", "邻里纠纷", "Neighbours"),
                ("family", "婚姻家庭", "Family"),
                ("property", "物业纠纷", "Property management"),
                ("labour", "劳资纠纷", "Labour"),
                ("land", "土地纠纷", "Land"),
            ],
            "risk": [("low", "低", "Low"), ("medium", "中", "Medium"), ("high", "高", "High")],
        },
    },
    {
        "form_id": "special_visits",
        "title": ("特殊人群走访", "Special-population visits"),
        "target": "person",
        "survey": [
            q(
                "select_one special_group",
                "group",
                "人群类别",
                "Group",
                required="yes",
                gridgov_field="special_group",
            ),
            q(
                "date",
                "visit_date",
                "走访日期",
                "Visit date",
                required="yes",
                constraint=". <= today()",
            ),
            q("select_one condition", "condition", "近况", "Condition", required="yes"),
            q("select_one yes_no", "needs_help", "需要帮扶", "Needs help", required="yes"),
            q(
                "select_multiple help",
                "help",
                "帮扶需求",
                "Help needed",
                relevant="${needs_help} = 'yes'",
                required="yes",
            ),
            q("text", "notes", "走访记录", "Notes"),
        ],
        "choices": {
            "yes_no": YES_NO,
            "special_group": [
                ("correction", "社区矫正", "Community correction"),
                ("rehab", "社区戒毒康复", "Drug rehabilitation"),
                ("mental", "严重精神障碍", "Severe mental disorder"),
                ("released", "刑满释放", "Released prisoner"),
                ("elderly_alone", "空巢独居老人", "Elderly living alone"),
                ("left_behind", "留守儿童", "Left-behind child"),
            ],
            "condition": [
                ("stable", "稳定", "Stable"),
                ("watch", "需关注", "Needs attention"),
                ("risk", "有风险", "At risk"),
            ],
            "help": [
                ("living", "生活救助", "Living assistance"),
                ("medical", "医疗", "Medical"),
                ("employment", "就业", "Employment"),
                ("psych", "心理疏导", "Counselling"),
            ],
        },
    },
]

LABEL_ZH, LABEL_EN = "label::中文 (zh)", "label::English (en)"
EXTRA_COLUMNS = (
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "calculation",
    "gridgov_field",
)


def workbook(module: dict[str, Any]) -> bytes:
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    survey.append(["type", "name", LABEL_ZH, LABEL_EN, *EXTRA_COLUMNS])
    for type_, name, zh, en, extra in module["survey"]:
        survey.append([type_, name, zh, en, *(extra.get(c, "") for c in EXTRA_COLUMNS)])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", LABEL_ZH, LABEL_EN])
    for list_name, items in module["choices"].items():
        for name, zh, en in items:
            choices.append([list_name, name, zh, en])
    settings = book.create_sheet("settings")
    settings.append(
        [
            "form_id",
            "form_title",
            "version",
            "default_language",
            "gridgov_target",
            "gridgov_title_en",
        ]
    )
    settings.append(
        [
            module["form_id"],
            module["title"][0],
            module.get("version", FIRST_VERSION),
            "中文 (zh)",
            module["target"] or "",
            module["title"][1],
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> int:
    sys.path.insert(0, str(ROOT / "src"))
    from gridgov.fieldwork.forms.xlsform import parse_definition

    OUT.mkdir(parents=True, exist_ok=True)
    for number, module in enumerate(MODULES, start=1):
        content = workbook(module)
        definition = parse_definition(content)  # raises with row and reason if anything is wrong
        path = OUT / f"{number:02d}_{module['form_id']}.xlsx"
        if path.exists() and parse_definition(path.read_bytes()) == definition:
            print(f"{path.relative_to(ROOT)}  unchanged")
            continue
        path.write_bytes(content)
        print(f"{path.relative_to(ROOT)}  {len(content):,} bytes, version {definition['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
