"""Rendering a page with the request's language."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from gridgov.web import templates
from gridgov.web.i18n import request_language, translate
from gridgov.web.nav import nav_for


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = request_language(request)
    context.setdefault("page_title", None)
    context.setdefault("principal", None)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": language,
            "other_lang": "en" if language == "zh-CN" else "zh-CN",
            "t": lambda key: translate(key, language),
            "nav_items": nav_for(context["principal"]),
            **context,
        },
        status_code=status_code,
    )
    if request.query_params.get("lang") in ("zh-CN", "en"):
        response.set_cookie("lang", language, samesite="lax", httponly=True)
    return response
