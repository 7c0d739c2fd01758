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
from gridgov.fieldwork import vocabulary  # noqa: F401  (the words of the field-work codes)
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.supervise import router as supervise_router
from gridgov.kit.db import request_session
from gridgov.kit.errors import PayloadTooLarge
from gridgov.web import STATIC_DIR
from gridgov.web.forms import attempt
from gridgov.web.i18n import N_, gettext, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
router.include_router(supervise_router)
FIELD_STATIC = STATIC_DIR / "field"
DB = Annotated[Session, Depends(request_session, scope="function")]
Admin = Annotated[Principal, Depends(page_roles(Role.SYSTEM_ADMIN))]
MAX_XLSX = 1024 * 1024


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
        page_title=gettext(request_language(request), "采集模块"),
        principal=principal,
        modules=modules,
        field_counts={m.code: registry.field_count(m) for m in modules},
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
    with attempt(session) as tried:
        if len(content) > MAX_XLSX:
            raise PayloadTooLarge("XLSForm 文件过大", "The XLSForm file is too large")
        module, created = registry.add_module(
            session, content=content, filename=file.filename, principal=principal
        )
    if tried.error:
        return _modules_page(request, session, principal, error=tried.message(request))
    language = request_language(request)
    added = (
        gettext(
            language, "已发布 %(code)s 第 %(version)s 版", code=module.code, version=module.version
        )
        if created
        else gettext(
            language, "%(code)s 第 %(version)s 版未变化", code=module.code, version=module.version
        )
    )
    return _modules_page(request, session, principal, added=added)


add_nav(N_("E通"), "/field/", {Role.GRID_WORKER})
add_nav(N_("采集模块"), "/field/admin/modules", {Role.SYSTEM_ADMIN})
