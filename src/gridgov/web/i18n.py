"""The interface's language: gettext catalogues, zh-CN first, English on request.

* Text is written in Chinese where it is used: ``_("受理编号")`` / ``{% trans %}`` in templates,
  ``gettext(language, "…")`` in Python, ``N_("…")`` to mark a text that is translated later.
  Babel extracts it (``babel.cfg``, ``make messages``) into ``src/gridgov/locale/<locale>/
  LC_MESSAGES/messages.po``; the English catalogue holds the translations, the zh-CN one the
  (reviewable) Chinese. ``tests/web/test_catalogue.py`` fails on any text missing in either.
* Codes shown to people (states, moves, priorities, channels…) are translated through a
  vocabulary: ``add_vocabulary("case_state", {"reported": N_("待受理"), …})`` and
  ``{{ case.state|label("case_state") }}`` in a template, ``label(language, …)`` in Python.
* The compiled ``.mo`` files are not committed: ``make setup`` (``make messages``) builds them,
  and a catalogue whose ``.mo`` is missing or older than its ``.po`` is compiled from the ``.po``
  in memory when first used, so an edited ``.po`` is what the next test run sees.
* Times: :func:`local_time` shows an instant in the city's zone (``GRIDGOV_TIME_ZONE``).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

import gridgov
from gridgov.config import get_settings
from gridgov.kit.clock import city_zone

LANGUAGES = ("zh-CN", "en")
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "messages"
_LOCALE_NAMES = {"zh-CN": "zh_CN", "en": "en"}

# --- catalogues ---------------------------------------------------------------------------------


def N_(message: str) -> str:  # gettext's name for "mark only"
    """Mark ``message`` for the catalogue; it is translated where it is shown."""
    return message


def catalogue_path(language: str, suffix: str = ".po") -> Path:
    return LOCALE_DIR / _LOCALE_NAMES[language] / "LC_MESSAGES" / f"{DOMAIN}{suffix}"


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> Translations:
    po, mo = catalogue_path(language), catalogue_path(language, ".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as stored:
            return Translations(stored, DOMAIN)
    with po.open("rb") as source:
        catalog = read_po(source, locale=_LOCALE_NAMES[language])
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, DOMAIN)


def normalise_language(requested: str | None) -> str | None:
    if requested in LANGUAGES:
        return requested
    if requested in ("zh", "zh_CN", "zh-cn"):
        return "zh-CN"
    return None


def request_language(request: Request) -> str:
    """``?lang=`` (the switch), then the ``lang`` cookie, then the deployment's default."""
    for requested in (request.query_params.get("lang"), request.cookies.get("lang")):
        language = normalise_language(requested)
        if language:
            return language
    settings = getattr(request.app.state, "settings", None) or get_settings()
    return normalise_language(settings.default_language) or "zh-CN"


# How Babel finds text in Python (``gettext(language, "…")``: the message is the second argument;
# ``N_("…")``) besides the defaults (``_``, ``ngettext``…, used by templates and the phone app).
EXTRACT_KEYWORDS = {"gettext": (2,), "ngettext": (2, 3), "N_": None}


def gettext(language: str, message: str, **values: object) -> str:
    """``message`` (the Chinese source text) in ``language``; ``%(name)s`` filled from
    ``values``."""
    text = translations(language).gettext(message)
    return text % values if values else text


def ngettext(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **values}


# --- vocabularies: codes shown to people ---------------------------------------------------------
VOCABULARIES: dict[str, dict[str, str]] = {}
# Codes a page asked to show that have no words (the every-page test fails on any).
missing_labels: set[str] = set()


def load_vocabularies() -> None:
    """Import every ``gridgov.<package>.vocabulary`` module (each registers its codes' words),
    as the models are imported: a page needs no import of its own to show a code in words."""
    for package in pkgutil.iter_modules(gridgov.__path__):
        if package.ispkg and package.name != "sim":
            try:
                importlib.import_module(f"gridgov.{package.name}.vocabulary")
            except ModuleNotFoundError as missing:
                if missing.name != f"gridgov.{package.name}.vocabulary":
                    raise


def add_vocabulary(name: str, labels: Mapping[Any, str]) -> None:
    """Words for the codes of one kind (values marked with :func:`N_`)."""
    VOCABULARIES.setdefault(name, {}).update({str(code): text for code, text in labels.items()})


def label(language: str, vocabulary: str, code: object) -> str:
    if code is None or code == "":
        return ""
    key = getattr(code, "value", code)
    text = VOCABULARIES.get(vocabulary, {}).get(str(key))
    if text is None:
        missing_labels.add(f"{vocabulary}:{key}")
        return str(key)
    return gettext(language, text)


def pick(language: str, chinese: str | None, english: str | None) -> str:
    """A name stored in both languages (categories, departments): the one for ``language``."""
    if language == "en" and english:
        return english
    return chinese or english or ""


def error_text(language: str, error: object) -> str:
    """The message of a typed error (``gridgov.kit.errors``) in ``language``: errors carry both
    texts themselves (``message``/``message_en``)."""
    chinese = str(getattr(error, "message", "") or "")
    return pick(language, chinese, getattr(error, "message_en", None))


# --- times --------------------------------------------------------------------------------------


def local_time(
    moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M", zone: ZoneInfo | None = None
) -> str:
    """A stored instant in the city's time zone (naive values are UTC, as SQLite returns them)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone or city_zone()).strftime(fmt)


# --- the phone app's catalogue ------------------------------------------------------------------
# The app itself and its shell (whose texts the app sets again when the language changes).
PHONE_SOURCES = ("src/gridgov/web/static/field/", "src/gridgov/web/templates/field/app.html")
PHONE_CATALOGUE = Path(__file__).resolve().parent / "static" / "field" / "messages.json"


def phone_catalogue() -> dict[str, dict[str, str]]:
    """The texts of the phone app (those Babel found in ``static/field/*.js``) in each language,
    as ``static/field/messages.json`` holds them: the app works offline, so it carries its
    catalogue in the service worker's cache and switches language without asking the server."""
    result: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with catalogue_path(language).open("rb") as source:
            catalog = read_po(source, locale=_LOCALE_NAMES[language])
        result[language] = {
            str(message.id): str(message.string)
            for message in catalog
            if message.id
            and message.string
            and not message.fuzzy
            and any(str(path).startswith(PHONE_SOURCES) for path, _ in message.locations)
        }
    return result
