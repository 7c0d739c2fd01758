"""The auditor's page: the trail with filters, CSV export and the chain's verification, readable:
actions, objects and outcomes in words, each change as a before/after table."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.audit import service
from gridgov.audit.routes import PageFilters
from gridgov.audit.schemas import AuditEntryRead, VerifyRead
from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import TRAIL_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.pagination import PageParams, page_params
from gridgov.models.audit import AuditEntry
from gridgov.web.i18n import N_, VOCABULARIES, add_vocabulary, city_zone, label, request_language
from gridgov.web.names import account_names
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(page_roles(*TRAIL_READERS))]
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Paging = Annotated[PageParams, Depends(page_params)]

add_nav(N_("审计日志"), "/audit", set(TRAIL_READERS))

# What an entry is about (``object_type``) and how it ended.
add_vocabulary(
    "object_type",
    {
        "user": N_("用户"),
        "field_submission": N_("采集记录"),
        "task": N_("任务"),
        "case": N_("案件"),
        "case_category": N_("案件类别"),
        "person": N_("人员"),
        "household": N_("户"),
        "house": N_("房屋"),
        "organisation": N_("单位"),
        "region": N_("区域"),
        "patrol": N_("巡查"),
        "media": N_("照片"),
        "route": N_("访问地址"),
        "field_module": N_("采集模块"),
        "field_sync_batch": N_("同步批次"),
        "field_sync_conflict": N_("同步冲突"),
        "calendar_year": N_("工作日历"),
        "audit_entries": N_("审计日志"),
        "channel_client": N_("接入渠道"),
        "source": N_("数据来源"),
        "source_load": N_("数据导入批次"),
        "person_import": N_("人口导入批次"),
        "redivision_proposal": N_("网格调整方案"),
        "proxy_service": N_("代办服务"),
        "life_event": N_("生活事项"),
        "data_need": N_("数据需求"),
        "admitted_task_type": N_("准入任务类型"),
        "diversion_report": N_("分流报告"),
        "lifecycle_rule_set": N_("事项规则"),
        "ledger": N_("台账"),
        "tables": N_("数据表"),
        "field": N_("移动采集"),
        "multiple": N_("多张数据表"),
    },
)
add_vocabulary("yes_no", {True: N_("是"), False: N_("否")})
add_vocabulary("outcome", {"success": N_("成功"), "failure": N_("失败"), "denied": N_("拒绝访问")})
add_vocabulary(
    "request_channel",
    {
        "web": N_("网页"),
        "api": N_("接口"),
        "field": N_("移动端"),
        "cli": N_("命令行"),
        "system": N_("系统"),
        "job": N_("后台任务"),
        "open311": N_("Open311 接口"),
        "bearer": N_("接口令牌"),  # how an API client signed in (auth.login's kind)
    },
)
# Whole actions; an action not listed here is shown as its object's words and its verb's
# (``case.dispatch``: 案件 · 派遣).
add_vocabulary(
    "audit_action",
    {
        "auth.login": N_("登录"),
        "auth.logout": N_("退出登录"),
        "auth.login_failed": N_("登录失败"),
        "auth.password_changed": N_("修改密码"),
        "auth.refresh_reuse": N_("令牌重复使用"),
        "access.denied": N_("拒绝访问"),
        "audit.verify": N_("校验哈希链"),
        "audit.export": N_("导出审计日志"),
        "data.write": N_("数据写入（未单独记录）"),
        "person.full_view": N_("查看人员完整信息"),
        "person.import.check": N_("人口导入校验"),
        "person.import.commit": N_("人口导入提交"),
        "person.import.discard": N_("人口导入放弃"),
        "user.role_change": N_("变更账户角色"),
        "person.export_full": N_("导出人员完整信息"),
        "personal_data.view_full": N_("查看完整个人信息"),
        "patrol.track_view": N_("查看巡查轨迹"),
        "field.sync": N_("移动端同步"),
        "field.conflict.full_view": N_("查看冲突完整信息"),
    },
)
add_vocabulary(
    "audit_verb",
    {
        "create": N_("新增"),
        "update": N_("修改"),
        "delete": N_("删除"),
        "export": N_("导出"),
        "import": N_("导入"),
        "report": N_("上报"),
        "recalculate": N_("期限重算"),
        "reset_password": N_("重置密码"),
        "accept": N_("接收"),
        "complete": N_("完成"),
        "cancel": N_("取消"),
        "start": N_("开始"),
        "end": N_("结束"),
        "upload": N_("上传"),
        "add": N_("新增"),
        "activate": N_("启用"),
        "resolve": N_("处理"),
        "assign_worker": N_("指定网格员"),
        "release_worker": N_("解除网格员"),
        "task_done": N_("任务完成"),
        "module.add": N_("新增模块"),
        "module.activate": N_("启用模块"),
        "conflict.resolve": N_("处理冲突"),
        "view": N_("查看"),
    },
)
# Names of the fields a change lists most often; another field shows its own name.
add_vocabulary(
    "audit_field",
    {
        "state": N_("状态"),
        "priority": N_("紧急程度"),
        "channel": N_("渠道"),
        "role": N_("角色"),
        "department_code": N_("责任部门"),
        "category_code": N_("类别"),
        "grid_code": N_("网格"),
        "region_code": N_("区域编码"),
        "address": N_("地址"),
        "description": N_("问题描述"),
        "note": N_("说明"),
        "name": N_("姓名"),
        "username": N_("用户名"),
        "display_name": N_("显示名称"),
        "active": N_("启用"),
        "version": N_("版本"),
        "reason": N_("原因"),
        "purpose": N_("目的"),
        "lng": N_("经度"),
        "lat": N_("纬度"),
        "phone": N_("联系电话"),
        "id_number": N_("证件号码"),
        "tables": N_("数据表"),
        "checked": N_("已校验条数"),
        "head_seq": N_("链头序号"),
        "ok": N_("完整"),
        "fields": N_("字段"),
        "count": N_("数量"),
        "user_id": N_("用户编号"),
        "deadline": N_("期限"),
        "step_due_at": N_("本环节时限"),
        "minutes": N_("分钟"),
        "kind": N_("类型"),
        "must_change_password": N_("须修改密码"),
        "staff_id": N_("人员编号"),
        "sid": N_("会话"),
        "target": N_("对象"),
        "code": N_("编号"),
        "changes": N_("变更"),
    },
)
# Fields whose values are codes, and the vocabulary of their words.
VALUE_VOCABULARIES = {
    "priority": "case_priority",
    "channel": "case_channel",
    "role": "role",
    "outcome": "outcome",
    # the population base's codes (people/vocabulary.py)
    "sex": "sex",
    "residence_type": "residence_type",
    "living_status": "living_status",
    "id_type": "id_type",
    "relation_to_head": "relation",
    # how one signed in (auth.login: web, api …); other kinds are not request channels
    "kind": "request_channel",
}
# A field the trail's own list does not name: the population base's field words, if any.
FALLBACK_FIELD_VOCABULARIES = ("audit_field", "person_field")
STATE_VOCABULARIES = {"case": "case_state"}
OUTCOMES = ("success", "failure", "denied")


def action_words(language: str, action: str) -> str:
    """``case.dispatch`` → "案件 · 派遣" (a whole action's own words first)."""
    if action in VOCABULARIES.get("audit_action", {}):
        return label(language, "audit_action", action)
    subject, _, verb = action.partition(".")
    verbs = (
        "case_move"
        if subject == "case" and verb in VOCABULARIES.get("case_move", {})
        else "audit_verb"
    )
    return f"{label(language, 'object_type', subject)} · {label(language, verbs, verb)}"


def _value(language: str, vocabulary: str | None, value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):  # e.g. the chain check's "intact"
        return label(language, "yes_no", value)
    if vocabulary and str(value) in VOCABULARIES.get(vocabulary, {}):
        return label(language, vocabulary, value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)  # Chinese as Chinese, not \\u escapes


def changes(language: str, entry: AuditEntry | AuditEntryRead) -> list[tuple[str, str, str, bool]]:
    """One row per field: (its name, before, after, whether the name is an identifier shown as
    it is), codes in words where they are known. The safety net's entries (``data.write``) name
    database tables, which an auditor needs as they are."""
    before, after = entry.before or {}, entry.after or {}
    rows = []
    for name in dict.fromkeys([*before, *after]):
        vocabulary = VALUE_VOCABULARIES.get(name)
        if name == "state":
            vocabulary = STATE_VOCABULARIES.get(entry.object_type)
        words = next(
            (v for v in FALLBACK_FIELD_VOCABULARIES if name in VOCABULARIES.get(v, {})), None
        )
        known = words is not None
        rows.append(
            (
                label(language, words, name) if words else name,
                _value(language, vocabulary, before.get(name)) if name in before else "",
                _value(language, vocabulary, after.get(name)) if name in after else "",
                not known and entry.action == "data.write",
            )
        )
    return rows


def _page(
    request: Request,
    session: Session,
    principal: Principal,
    filters: Any,
    page: PageParams,
    verification: VerifyRead | None = None,
) -> HTMLResponse:
    language = request_language(request)
    rows, total = service.list_entries(session, principal=principal, filters=filters, page=page)
    query = filters.model_dump(mode="json", exclude_none=True)
    zone = city_zone()
    # Whatever zone was typed, the page shows and links the city's time.
    since = filters.since.astimezone(zone) if filters.since else None
    until = filters.until.astimezone(zone) if filters.until else None
    actions = sorted(
        VOCABULARIES.get("audit_action", {}), key=lambda a: label(language, "audit_action", a)
    )
    object_types = sorted(
        VOCABULARIES.get("object_type", {}), key=lambda o: label(language, "object_type", o)
    )
    return render(
        request,
        "audit/list.html",
        page_title=None,
        principal=principal,
        entries=[(e, action_words(language, e.action), changes(language, e)) for e in rows],
        # The account's display name, with its username beside it (what an auditor searches by).
        account_names=account_names(session, [e.username for e in rows]),
        total=total,
        page=page,
        filters=filters,
        since=since,
        until=until,
        actions=actions,
        object_types=object_types,
        outcomes=OUTCOMES,
        verification=verification,
        export_query=urlencode(query),
        prev_query=urlencode({**query, "offset": max(0, page.offset - page.limit)}),
        next_query=urlencode({**query, "offset": page.offset + page.limit}),
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, principal: Reader, session: DbSession, filters: PageFilters, page: Paging
) -> HTMLResponse:
    return _page(request, session, principal, filters, page)


@router.post("/audit/verify", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def verify_page(
    request: Request, principal: Reader, session: DbSession, filters: PageFilters, page: Paging
) -> HTMLResponse:
    """Recompute the chain (an entry in the trail) and show the result above the trail."""
    verification = service.verify(session, principal=principal)
    return _page(request, session, principal, filters, page, verification)
