"""The field app (E通) shell: served under /field/, which is also the service worker's scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gridgov.web import STATIC_DIR
from gridgov.web.render import render

router = APIRouter(prefix="/field", include_in_schema=False)
FIELD_STATIC = STATIC_DIR / "field"


@router.get("/", response_class=HTMLResponse)
def shell(request: Request) -> Response:
    """The app shell; all data comes from the API (and from the phone's cache when offline)."""
    return render(request, "field/app.html")


@router.get("/sw.js")
def service_worker() -> Response:
    return FileResponse(
        FIELD_STATIC / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/field/"},
    )


@router.get("/manifest.webmanifest")
def manifest() -> Response:
    return FileResponse(
        FIELD_STATIC / "manifest.webmanifest", media_type="application/manifest+json"
    )


@router.get("/admin/modules", response_class=HTMLResponse)
def modules_page(request: Request) -> Response:
    """Administrators: the modules and the upload of a new XLSForm (uses the module API)."""
    return render(request, "field/modules.html", page_title="采集模块 / Modules")
