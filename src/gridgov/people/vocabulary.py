"""The words of the population codes people see (sex, residence, status, ID types, relations,
house uses, record fields…) and the names of the special-population tags."""

from __future__ import annotations

from gridgov.people.tags import TAGS
from gridgov.web import templates
from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary("sex", {"M": N_("男"), "F": N_("女")})
add_vocabulary(
    "residence_type", {"registered": N_("户籍"), "floating": N_("流动"), "foreign": N_("境外")}
)
add_vocabulary(
    "living_status",
    {"alive": N_("正常"), "deceased": N_("死亡"), "moved_away": N_("迁出"), "merged": N_("已合并")},
)
add_vocabulary(
    "id_type",
    {
        "resident_id": N_("居民身份证"),
        "passport": N_("护照"),
        "permit": N_("居留证件"),
        "birth_cert": N_("出生医学证明"),
    },
)
add_vocabulary(
    "relation",
    {
        "head": N_("户主"),
        "spouse": N_("配偶"),
        "child": N_("子女"),
        "child_in_law": N_("儿媳/女婿"),
        "grandchild": N_("孙子女"),
        "parent": N_("父母"),
        "grandparent": N_("祖父母"),
        "sibling": N_("兄弟姐妹"),
        "other": N_("其他"),
    },
)
add_vocabulary(
    "change_source",
    {
        "grid_worker": N_("网格员"),
        "department": N_("部门"),
        "import": N_("批量导入"),
        "clerk": N_("受理员"),
        "staff": N_("工作人员"),
        "system": N_("系统"),
        "sim": N_("模拟数据"),
    },
)
# The options of the house and household forms (and the statuses of organisations).
add_vocabulary(
    "record_option",
    {
        "residence": N_("自住"),
        "rented": N_("出租"),
        "shop": N_("商铺"),
        "office": N_("办公"),
        "vacant": N_("空置"),
        "other": N_("其他"),
        "active": N_("正常"),
        "demolished": N_("已拆除"),
        "dissolved": N_("已注销"),
        "suspended": N_("停业"),
        "closed": N_("已关闭"),
        "registered": N_("户籍户"),
        "resident": N_("实有住户"),
    },
)
add_vocabulary(
    "org_type",
    {
        "enterprise": N_("企业"),
        "individual_business": N_("个体工商户"),
        "social_organisation": N_("社会组织"),
        "public_institution": N_("事业单位"),
        "government": N_("机关"),
    },
)
# Field names (form and import errors, the changed fields of a version).
add_vocabulary(
    "person_field",
    {
        "id_type": N_("证件类型"),
        "id_number": N_("证件号码"),
        "name": N_("姓名"),
        "sex": N_("性别"),
        "birth_date": N_("出生日期"),
        "ethnicity": N_("民族"),
        "nationality": N_("国籍"),
        "phone": N_("联系电话"),
        "registered_address": N_("户籍地"),
        "current_address": N_("现住址"),
        "residence_type": N_("人口类型"),
        "living_status": N_("人员状态"),
        "moved_in_on": N_("迁入日期"),
        "permit_expires_on": N_("居住证到期"),
        "grid_code": N_("网格"),
        "household_no": N_("户号"),
        "household_id": N_("所在户"),
        "house_id": N_("房屋"),
        "relation_to_head": N_("与户主关系"),
        "house_address": N_("房屋地址"),
        "tags": N_("标签"),
        "address": N_("标准地址"),
        "use": N_("用途"),
        "owner_name": N_("产权人"),
        "floor": N_("楼层"),
        "building_floors": N_("总层数"),
        "status": N_("状态"),
        "kind": N_("户类型"),
        "credit_code": N_("统一社会信用代码"),
        "org_type": N_("单位类型"),
        "industry": N_("行业"),
        "legal_representative": N_("法定代表人"),
        "licences": N_("证照"),
        "lng": N_("经度"),
        "lat": N_("纬度"),
    },
)
add_vocabulary(
    "people_kind",
    {
        "persons": N_("实有人口"),
        "households": N_("户"),
        "houses": N_("实有房屋"),
        "organisations": N_("实有单位"),
    },
)
# The tags' names live in their own table (people/tags.py), in both languages.
TAG_NAMES = {code: (zh, en) for code, (zh, en, _) in TAGS.items()}
templates.env.globals["tag_names"] = TAG_NAMES  # {{ pick(*tag_names[code]) }}
