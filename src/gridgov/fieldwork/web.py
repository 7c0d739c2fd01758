"""The field app (E通) shell under /field/ (also the service worker's scope), and the
administrators' page of collection modules. The supervisors' page is in ``supervise.py``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.supervise import router as supervise_router
from gridgov.kit.db import request_session
from gridgov.kit.errors import GridgovError
from gridgov.web import STATIC_DIR
from gridgov.web.i18n import add_messages, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
router.include_router(supervise_router)
FIELD_STATIC = STATIC_DIR / "field"
DB = Annotated[Session, Depends(request_session, scope="function")]
Admin = Annotated[Principal, Depends(page_roles(Role.SYSTEM_ADMIN))]
MAX_XLSX = 1024 * 1024

add_messages(
    {
        "field.title": {"zh-CN": "网格员移动采集", "en": "Grid worker field app"},
        "field.username": {"zh-CN": "用户名", "en": "Username"},
        "field.password": {"zh-CN": "密码", "en": "Password"},
        "field.sign_in": {"zh-CN": "登录", "en": "Sign in"},
        "field.sign_out": {"zh-CN": "退出登录", "en": "Sign out"},
        "field.queue": {"zh-CN": "待同步", "en": "Queued"},
        "field.home": {"zh-CN": "网格", "en": "Grid"},
        "field.patrol": {"zh-CN": "巡查", "en": "Patrol"},
        "field.forms": {"zh-CN": "采集", "en": "Collect"},
        "field.report": {"zh-CN": "上报", "en": "Report"},
        "field.tasks": {"zh-CN": "任务", "en": "Tasks"},
        "field.mine": {"zh-CN": "我的", "en": "Mine"},
        "field.modules": {"zh-CN": "采集模块", "en": "Collection modules"},
        "field.modules_help": {
            "zh-CN": "上传 XLSForm 文件（survey/choices/settings）即可新增模块或发布新版本，无需改代码。",
            "en": "Upload an XLSForm (survey/choices/settings) to add a module or publish a new "
            "version — no code needed.",
        },
        "field.upload": {"zh-CN": "上传", "en": "Upload"},
        "field.version": {"zh-CN": "版本", "en": "Version"},
        "field.module_title": {"zh-CN": "名称", "en": "Title"},
        "field.fields": {"zh-CN": "题目数", "en": "Fields"},
    }
)


@router.get("/field/", response_class=HTMLResponse)
def shell(request: Request) -> Response:
    """The app shell; all data comes from the API (and from the phone's cache when offline)."""
    return render(request, "field/app.html")


@router.get("/field/sw.js")
def service_worker() -> Response:
    return FileResponse(
        FIELD_STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/field/"},
    )


@router.get("/field/manifest.webmanifest")
def manifest() -> Response:
    return FileResponse(
        FIELD_STATIC / "manifest.webmanifest", media_type="application/manifest+json"
    )


def _modules_page(
    request: Request, session: Session, principal: Principal, **context: Any
) -> HTMLResponse:
    modules = registry.latest_modules(session)
    return render(
        request,
        "field/modules.html",
        page_title="采集模块 / Modules",
        principal=principal,
        modules=modules,
        **context,
    )


@router.get("/field/admin/modules", response_class=HTMLResponse)
def modules_page(request: Request, principal: Admin, session: DB) -> HTMLResponse:
    return _modules_page(request, session, principal)


@router.post(
    "/field/admin/modules", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def modules_upload(
    request: Request, principal: Admin, session: DB, file: Annotated[UploadFile, File()]
) -> HTMLResponse:
    content = file.file.read(MAX_XLSX + 1)
    english = request_language(request) == "en"
    try:
        if len(content) > MAX_XLSX:
            raise GridgovError("XLSForm 文件过大", "The XLSForm file is too large")
        module, created = registry.add_module(
            session, content=content, filename=file.filename, principal=principal
        )
    except GridgovError as exc:
        session.rollback()
        error = exc.message_en if english else exc.message
        return _modules_page(request, session, principal, error=error)
    added = f"{module.code} v{module.version}" + ("" if created else " (unchanged)")
    session.commit()  # before answering (see fieldwork/ack.py)
    return _modules_page(request, session, principal, added=added)


add_nav("field.nav.app", "/field/", {Role.GRID_WORKER})
add_nav("field.nav.modules", "/field/admin/modules", {Role.SYSTEM_ADMIN})
add_messages(
    {
        "field.nav.app": {"zh-CN": "E通", "en": "Field app"},
        "field.nav.modules": {"zh-CN": "采集模块", "en": "Collection modules"},
    }
)
