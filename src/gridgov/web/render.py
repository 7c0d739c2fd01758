"""Rendering a page in the request's language and the city's time zone.

Templates use ``jinja2.ext.i18n`` (``{{ _("…") }}``, ``{% trans %}``; new-style, so
``_("共 %(n)s 件", n=total)`` fills and escapes) and the filters ``label`` (a code in words)
and ``localtime``. The language of the page being rendered is held in a context variable for
the few milliseconds of the rendering (Starlette renders a template when the response is
built)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse

from gridgov.config import get_settings
from gridgov.web import i18n, templates
from gridgov.web.nav import nav_for


@dataclass(frozen=True)
class _Rendering:
    language: str
    zone: ZoneInfo


_current: ContextVar[_Rendering | None] = ContextVar("gridgov_rendering", default=None)


def _now() -> _Rendering:
    current = _current.get()
    if current is None:  # a template rendered outside render(): the deployment's defaults
        settings = get_settings()
        return _Rendering(
            i18n.normalise_language(settings.default_language) or "zh-CN", i18n.city_zone()
        )
    return current


@contextmanager
def rendering(language: str, zone: ZoneInfo | None = None) -> Iterator[None]:
    """Templates rendered inside this block speak ``language``."""
    token = _current.set(_Rendering(language, zone or i18n.city_zone()))
    try:
        yield
    finally:
        _current.reset(token)


def _gettext(message: str) -> str:
    return i18n.translations(_now().language).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(_now().language).ngettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return str(i18n.translations(_now().language).pgettext(context, message))


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(i18n.translations(_now().language).npgettext(context, singular, plural, n))


def _label(code: object, vocabulary: str) -> str:
    return i18n.label(_now().language, vocabulary, code)


def _pick(chinese: str | None, english: str | None) -> str:
    return i18n.pick(_now().language, chinese, english)


def _localtime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return i18n.local_time(moment, fmt, _now().zone)


templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
)
templates.env.filters["label"] = _label
templates.env.filters["localtime"] = _localtime
templates.env.filters["cst"] = _localtime  # the old name, until the case pages say localtime
templates.env.globals["pick"] = _pick
_vocabularies_loaded = False


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    global _vocabularies_loaded
    if not _vocabularies_loaded:
        i18n.load_vocabularies()
        _vocabularies_loaded = True
    language = i18n.request_language(request)
    settings = getattr(request.app.state, "settings", None) or get_settings()
    context.setdefault("page_title", None)
    context.setdefault("principal", None)
    with rendering(language, ZoneInfo(settings.time_zone)):
        response = templates.TemplateResponse(
            request,
            template,
            {
                "lang": language,
                "other_lang": "en" if language == "zh-CN" else "zh-CN",
                "nav_items": nav_for(context["principal"]),
                "time_zone": settings.time_zone,
                **context,
            },
            status_code=status_code,
        )
    if i18n.normalise_language(request.query_params.get("lang")):
        response.set_cookie("lang", language, samesite="lax", httponly=False)
    return response
