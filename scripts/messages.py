"""Refresh the interface's catalogues after text was added or changed in the source.

    .venv/bin/python scripts/messages.py          # `make messages`

1. ``pybabel extract`` (``babel.cfg``) writes ``src/gridgov/locale/messages.pot``;
2. ``pybabel update`` merges it into ``zh_CN`` and ``en`` (no fuzzy guesses: a new text is
   simply untranslated until someone writes its English);
3. the zh-CN catalogue gets the Chinese source text as its translation wherever it has none;
4. ``pybabel compile`` writes the ``.mo`` files (not committed) and
   ``static/field/messages.json`` is written for the phone app.

Then fill the empty ``msgstr`` of ``en/LC_MESSAGES/messages.po``;
``tests/web/test_catalogue.py`` fails while any is empty.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "src" / "gridgov" / "locale"
POT = LOCALE / "messages.pot"
PYBABEL = str(Path(sys.executable).parent / "pybabel")
# gridgov.web.i18n.EXTRACT_KEYWORDS, as pybabel's -k options
KEYWORDS = ["-k", "gettext:2", "-k", "ngettext:2,3", "-k", "N_"]
STABLE = ["--no-wrap", "--sort-output", "--add-location=file"]


def run(*args: str) -> None:
    subprocess.run([PYBABEL, "-q", *args], cwd=ROOT, check=True)


def fill_chinese(po: Path) -> None:
    with po.open("rb") as source:
        catalog = read_po(source, locale="zh_CN")
    for message in catalog:
        if isinstance(message.id, tuple):  # ngettext: Chinese has one form, the singular's text
            if not all(message.string):
                message.string = (message.id[0],)
        elif message.id and not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with po.open("wb") as target:
        write_po(target, catalog, width=0, sort_output=True, include_lineno=False)


def main() -> None:
    run(
        "extract",
        "-F",
        "babel.cfg",
        *KEYWORDS,
        "-o",
        str(POT),
        "--project=gridgov",
        "--omit-header",
        "--ignore-dirs=.* ._ node_modules var bench tests",
        *STABLE,
        ".",
    )
    for locale in ("zh_CN", "en"):
        po = LOCALE / locale / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            run("init", "-i", str(POT), "-d", str(LOCALE), "-l", locale, "--no-wrap")
        run(
            "update",
            "-i",
            str(POT),
            "-d",
            str(LOCALE),
            "-l",
            locale,
            "-N",
            "--ignore-obsolete",
            "--no-wrap",
            "--ignore-pot-creation-date",
        )
    fill_chinese(LOCALE / "zh_CN" / "LC_MESSAGES" / "messages.po")
    run("compile", "-d", str(LOCALE), "--statistics")

    from gridgov.web.i18n import PHONE_CATALOGUE, phone_catalogue, translations

    translations.cache_clear()
    PHONE_CATALOGUE.write_text(
        json.dumps(phone_catalogue(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
