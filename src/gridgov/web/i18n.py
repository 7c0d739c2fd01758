"""zh-CN by default, English on request (``?lang=en`` sets a cookie). Each domain adds its own
strings to ``MESSAGES`` from its own module via :func:`add_messages`."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("zh-CN", "en")
MESSAGES: dict[str, dict[str, str]] = {
    "app.title": {"zh-CN": "网格化社会服务管理", "en": "Grid-based community governance"},
    "nav.map": {"zh-CN": "网格地图", "en": "Grid map"},
    "nav.language": {"zh-CN": "English", "en": "中文"},
}


def add_messages(messages: dict[str, dict[str, str]]) -> None:
    MESSAGES.update(messages)


def request_language(request: Request) -> str:
    requested = request.query_params.get("lang") or request.cookies.get("lang")
    if requested in LANGUAGES:
        return str(requested)
    if requested == "zh":
        return "zh-CN"
    return "zh-CN"


def translate(key: str, language: str) -> str:
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry["zh-CN"]
