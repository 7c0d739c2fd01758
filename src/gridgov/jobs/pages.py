"""The system administrator's page of scheduled jobs and their runs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import page_roles
from gridgov.authz.policy import SYSTEM_ADMINS
from gridgov.authz.principal import Principal
from gridgov.jobs import service
from gridgov.kit.db import request_session
from gridgov.web.i18n import add_messages
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

add_messages(
    {
        "nav.jobs": {"zh-CN": "定时任务", "en": "Scheduled jobs"},
        "jobs.title": {"zh-CN": "定时任务与运行记录", "en": "Scheduled jobs and runs"},
        "jobs.name": {"zh-CN": "任务", "en": "Job"},
        "jobs.description": {"zh-CN": "说明", "en": "Description"},
        "jobs.schedule": {"zh-CN": "计划", "en": "Schedule"},
        "jobs.every_minutes": {"zh-CN": "每 {n} 分钟", "en": "every {n} min"},
        "jobs.daily_at": {"zh-CN": "每天 {t}", "en": "daily at {t}"},
        "jobs.last_due": {"zh-CN": "最近完成的计划时间", "en": "Last occurrence done"},
        "jobs.lease": {"zh-CN": "运行中（服务器）", "en": "Running on"},
        "jobs.last_run": {"zh-CN": "最近运行", "en": "Last run"},
        "jobs.runs": {"zh-CN": "运行记录", "en": "Runs"},
        "jobs.kind": {"zh-CN": "方式", "en": "Kind"},
        "jobs.kind.schedule": {"zh-CN": "按计划", "en": "scheduled"},
        "jobs.kind.catch-up": {"zh-CN": "补跑", "en": "catch-up"},
        "jobs.kind.manual": {"zh-CN": "手动", "en": "manual"},
        "jobs.due": {"zh-CN": "计划时间", "en": "Due"},
        "jobs.started": {"zh-CN": "开始", "en": "Started"},
        "jobs.finished": {"zh-CN": "结束", "en": "Finished"},
        "jobs.rows": {"zh-CN": "处理行数", "en": "Rows"},
        "jobs.error": {"zh-CN": "错误", "en": "Error"},
        "jobs.ok": {"zh-CN": "成功", "en": "OK"},
        "jobs.running": {"zh-CN": "运行中", "en": "running"},
        "jobs.none": {"zh-CN": "暂无运行记录", "en": "No runs yet"},
        "jobs.all": {"zh-CN": "全部任务", "en": "All jobs"},
    }
)

add_nav("nav.jobs", "/jobs", set(SYSTEM_ADMINS))


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*SYSTEM_ADMINS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    job: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    return render(
        request,
        "jobs/list.html",
        page_title=None,
        principal=principal,
        jobs=service.overview(session),
        runs=service.recent_runs(session, job=job),
        selected=job,
        local=service.local_text,
    )
