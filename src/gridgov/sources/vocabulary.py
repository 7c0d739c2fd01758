"""The words of the sources codes people see."""

from __future__ import annotations

from gridgov.web.i18n import N_, add_vocabulary

add_vocabulary(
    "sources.decision",
    {
        "auto_linked": N_("自动关联"),
        "review": N_("待复核"),
        "accepted": N_("复核确认"),
        "rejected": N_("复核否定"),
        "family_member": N_("家庭成员"),
        "created": N_("新建人员"),
        "unmatched": N_("未匹配"),
    },
)

add_vocabulary(
    "sources.f",
    {
        "name": N_("姓名"),
        "former_name": N_("曾用名"),
        "sex": N_("性别"),
        "birth_date": N_("出生日期"),
        "id_number": N_("身份证号"),
        "id_type": N_("证件类型"),
        "phone": N_("电话"),
        "registered_address": N_("户籍地址"),
        "current_address": N_("现住址"),
        "household_no": N_("户号"),
        "relation_to_head": N_("与户主关系"),
        "status": N_("状态"),
        "ethnicity": N_("民族"),
        "death_date": N_("死亡日期"),
        "registered_on": N_("登记日期"),
        "enrolled_on": N_("参保日期"),
        "contract_end": N_("合同到期日"),
        "permit_expires_on": N_("居住证到期"),
        "licence_valid_until": N_("许可证有效期"),
        "event_date": N_("事件日期"),
        "mother_name": N_("母亲姓名"),
        "mother_id_number": N_("母亲身份证号"),
        "father_name": N_("父亲姓名"),
        "father_id_number": N_("父亲身份证号"),
        "guardian_name": N_("监护人"),
        "guardian_id_number": N_("监护人身份证号"),
        "guardian_phone": N_("监护人电话"),
        "credit_code": N_("统一社会信用代码"),
        "org_name": N_("单位名称"),
        "tenure": N_("产权/租赁"),
        "pension_status": N_("待遇状态"),
        "hospital": N_("医院"),
        "birth_order": N_("胎次"),
    },
)

add_vocabulary(
    "sources.finding",
    {
        "dead_in_register": N_("登记已死亡但基础库在世"),
        "pension_to_dead": N_("已死亡人员仍在领取养老金"),
        "newer_address": N_("来源地址与基础库不一致"),
        "id_check_failed": N_("身份证号校验失败"),
        "id_differs": N_("身份证号与基础库不一致"),
        "registration_lapsed": N_("流动人口居住登记已过期"),
        "birth_without_person": N_("医院出生登记尚无人员"),
        "not_seen": N_("多年未见于任何部门数据"),
    },
)

# What a finding's evidence names (sources/findings.py).
add_vocabulary(
    "sources.evidence",
    {
        "record_key": N_("来源记录编号"),
        "death_date": N_("死亡日期"),
        "name": N_("姓名"),
        "birth_date": N_("出生日期"),
        "mother_name": N_("母亲姓名"),
        "mother_person_id": N_("母亲人员编号"),
        "address": N_("住址"),
        "source_address": N_("来源地址"),
        "base_address": N_("基础库地址"),
        "death_record": N_("死亡登记"),
        "pension_record": N_("养老金记录"),
        "expired_on": N_("到期日期"),
        "last_seen": N_("最后见于来源"),
        "in_base_since": N_("入库时间"),
    },
)

add_vocabulary(
    "sources.sex",
    {
        "M": N_("男"),
        "F": N_("女"),
    },
)

# The quality workbook's sheet and column names.
add_vocabulary(
    "sources",
    {
        "loads": N_("历次载入"),
        "when": N_("时间"),
        "who": N_("操作人"),
        "received": N_("收到"),
        "new": N_("新增"),
        "changed": N_("变更"),
        "unchanged": N_("未变"),
        "rejected": N_("拒收"),
        "id_problems": N_("身份证号校验失败"),
        "decisions": N_("比对结果分布"),
        "match_rate": N_("匹配率"),
        "findings": N_("比对发现"),
    },
)

# A decision's explanation (sources/explain.py): what was compared, and how it compared.
add_vocabulary(
    "sources.comparison",
    {
        "id_number": N_("身份证号"),
        "name": N_("姓名"),
        "birth_date": N_("出生日期"),
        "sex": N_("性别"),
        "phone": N_("电话"),
        "address_key": N_("住址"),
        "base_duplicate": N_("基础库重复"),
    },
)
add_vocabulary(
    "sources.level",
    {
        "missing": N_("缺失"),
        "exact": N_("相同"),
        "exact_valid": N_("相同且有效"),
        "one_typo": N_("差一位"),
        "swapped": N_("名字顺序颠倒"),
        "same_sound": N_("读音相同"),
        "rare_character": N_("生僻字缺字"),
        "similar_sound": N_("读音相近"),
        "same_surname": N_("同姓不同名"),
        "clerical_variant": N_("常见登记误差"),
        "different": N_("不同"),
        "same_id": N_("身份证号相同（含15位旧号）"),
        "near_id": N_("姓名读音、出生日期、住址相同，身份证号差一位"),
    },
)
