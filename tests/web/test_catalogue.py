"""The catalogues hold every text of the interface in both languages: Babel extracts the text
from the source as ``make messages`` does, and every message must have a translation in zh-CN
and in English, with the same placeholders; the phone app's JSON catalogue is what the .po files
say; every code a vocabulary knows has words in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from gridgov.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {
        "_": None,
        "ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        **i18n.EXTRACT_KEYWORDS,
    }
    found: set[str] = set()
    for _, _, message, _, _ in extract_from_dir(
        ROOT,
        method_map,
        options_map,
        keywords=keywords,
        directory_filter=lambda path: (
            not any(
                part in ("node_modules", "var", ".venv", "tests", "bench")
                or (part.startswith(".") and part != ".")
                for part in Path(path).relative_to(ROOT).parts
            )
        ),
    ):
        found.update([message] if isinstance(message, str) else [m for m in message if m])
    return found


def _catalogue(language: str) -> dict[str, str]:
    """Message → translation; a plural message (``ngettext``) gives each of its forms the
    translation of the same form (Chinese has one form: the last stands for the plural), empty
    while any form is untranslated."""
    with i18n.catalogue_path(language).open("rb") as source:
        catalog = read_po(source)
    found: dict[str, str] = {}
    for m in catalog:
        if not m.id:
            continue
        if isinstance(m.id, tuple):
            forms = tuple(m.string) if isinstance(m.string, tuple) else (m.string,)
            done = not m.fuzzy and all(forms)
            for i, form in enumerate(m.id):
                found[form] = str(forms[min(i, len(forms) - 1)]) if done else ""
        else:
            found[str(m.id)] = "" if m.fuzzy else str(m.string)
    return found


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_text_of_the_source_has_a_translation(extracted, language) -> None:  # type: ignore[no-untyped-def]
    assert len(extracted) > 400
    catalogue = _catalogue(language)
    missing = sorted(m for m in extracted if not catalogue.get(m))
    assert missing == [], f"{language}: run `make messages` and translate: {missing}"


def test_english_keeps_the_placeholders_and_is_english() -> None:
    wrong = []
    for message, english in _catalogue("en").items():
        if set(PLACEHOLDER.findall(message)) != set(PLACEHOLDER.findall(english)):
            wrong.append((message, english))
        if CJK.search(english):
            wrong.append((message, english))
    assert wrong == []


def test_the_phone_app_catalogue_is_generated_from_the_po_files() -> None:
    shipped = json.loads(i18n.PHONE_CATALOGUE.read_text(encoding="utf-8"))
    assert shipped == i18n.phone_catalogue(), "run `make messages`"
    assert len(shipped["en"]) > 90 and set(shipped) == {"zh-CN", "en"}


def test_every_code_of_every_vocabulary_has_words_in_both_languages(app) -> None:  # type: ignore[no-untyped-def]
    """(``app``: every package is imported, so every vocabulary is registered.)"""
    i18n.load_vocabularies()
    english = _catalogue("en")
    chinese = _catalogue("zh-CN")
    assert len(i18n.VOCABULARIES) >= 15
    for name, labels in i18n.VOCABULARIES.items():
        for code, text in labels.items():
            assert english.get(text) and chinese.get(text), f"{name}:{code} {text}"
            assert i18n.label("en", name, code) == english[text]
