"""The auditor's page: the trail with filters, CSV export and the chain status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.audit import service
from gridgov.audit.routes import BEIJING, PageFilters
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import TRAIL_READERS
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.pagination import PageParams, page_params
from gridgov.web.i18n import add_messages
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

add_messages(
    {
        "nav.audit": {"zh-CN": "审计日志", "en": "Audit trail"},
        "audit.title": {"zh-CN": "审计日志（痕迹管理）", "en": "Audit trail"},
        "audit.user": {"zh-CN": "用户", "en": "User"},
        "audit.object_type": {"zh-CN": "对象类型", "en": "Object type"},
        "audit.object_id": {"zh-CN": "对象编号", "en": "Object id"},
        "audit.action": {"zh-CN": "操作", "en": "Action"},
        "audit.outcome": {"zh-CN": "结果", "en": "Outcome"},
        "audit.since": {"zh-CN": "起始时间", "en": "From"},
        "audit.until": {"zh-CN": "截止时间", "en": "Until"},
        "audit.filter": {"zh-CN": "筛选", "en": "Filter"},
        "audit.export": {"zh-CN": "导出 CSV", "en": "Export CSV"},
        "audit.verify": {"zh-CN": "校验哈希链", "en": "Verify the chain"},
        "audit.at": {"zh-CN": "时间", "en": "Time"},
        "audit.channel": {"zh-CN": "渠道", "en": "Channel"},
        "audit.purpose": {"zh-CN": "目的", "en": "Purpose"},
        "audit.note": {"zh-CN": "说明", "en": "Note"},
        "audit.changes": {"zh-CN": "变更前 / 后", "en": "Before / after"},
        "audit.total": {"zh-CN": "共 {n} 条", "en": "{n} entries"},
        "audit.prev": {"zh-CN": "上一页", "en": "Previous"},
        "audit.next": {"zh-CN": "下一页", "en": "Next"},
        "audit.unsealed": {"zh-CN": "待封存", "en": "unsealed"},
    }
)


add_nav("nav.audit", "/audit", set(TRAIL_READERS))


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*TRAIL_READERS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    filters: PageFilters,
    page: Annotated[PageParams, Depends(page_params)],
) -> HTMLResponse:
    rows, total = service.list_entries(session, principal=principal, filters=filters, page=page)
    query = filters.model_dump(mode="json", exclude_none=True)
    # Whatever zone was typed, the page shows and links Beijing time.
    since = filters.since.astimezone(BEIJING) if filters.since else None
    until = filters.until.astimezone(BEIJING) if filters.until else None
    return render(
        request,
        "audit/list.html",
        page_title=None,
        principal=principal,
        entries=rows,
        total=total,
        page=page,
        filters=filters,
        since=since,
        until=until,
        local=_local,
        export_query=urlencode(query),
        prev_query=urlencode({**query, "offset": max(0, page.offset - page.limit)}),
        next_query=urlencode({**query, "offset": page.offset + page.limit}),
    )


def _local(value: datetime) -> str:
    """An entry's time in Beijing time (SQLite gives naive UTC)."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
