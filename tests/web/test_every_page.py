"""Every page a role reaches from the navigation loads in Debian's chromium without a script
error, a console error or a failed request: a broken page is found even when no test of its
own looks at it (a map that silently never draws, a missing asset, a 500 behind htmx).

And every one of those pages reads in words in both languages: no raw code (``dispatched``,
``case_verification``, ``auth.login_failed``), no untranslated key, no English word on a Chinese
page, no Chinese interface text left on an English page. What a person reads is the page's text
outside ``translate="no"`` (usernames, stored notes, codes shown on purpose) and outside elements
in another language (the language switch)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy.orm import Session

from gridgov.auth.demo import DemoAccount, create_demo_accounts
from gridgov.fieldwork.forms.registry import install_defaults
from gridgov.kit.db import make_engine
from gridgov.sim.cases import simulate_cases
from gridgov.sim.city import build_city
from gridgov.web import i18n
from tests.live import live_server, server_settings
from tests.web.test_catalogue import _catalogue

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.browser

# Detail pages reached from a list: the first link of each kind on the page.
DETAIL_LINKS = re.compile(r"^/(cases|people/persons|people/households|people/houses)/\d+$")


@pytest.fixture(scope="module")
def site(fresh_database_url) -> Iterator[tuple[str, list[DemoAccount]]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    settings = server_settings(url)
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=12, seed=5, with_population=True)
        simulate_cases(session, seed=5, count=60, days=10)
        install_defaults(session)
        # One account per role (the demo's extra handlers per department see the same pages).
        accounts = [
            account
            for account in create_demo_accounts(session, settings=settings)
            if account.username == account.role.value
        ]
        session.commit()
    engine.dispose()
    with live_server(settings) as base:
        yield base, accounts


# A dotted or snake_case code (``auth.login_failed``, ``case_verification``, ``cases.state.x``).
CODE = re.compile(r"\b[a-z]{2,}(?:[._][a-z0-9]{2,})+\b")
ENGLISH_WORD = re.compile(r"\b[A-Za-z]{3,}\b")
# Names that stay as they are in Chinese text.
KEPT_NAMES = {"CSV", "Excel", "XLSForm", "Open311", "API", "GeoJSON", "TOML"}
SKIPPED_TAGS = {"script", "style", "template", "title", "head"}
VOID_TAGS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}


class _Reader(HTMLParser):
    """The texts a person reads on a page (and its placeholders and labels)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._stack: list[bool] = []  # per open element: hidden from the reading?

    def _hidden(self) -> bool:
        return any(self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        hidden = (
            tag in SKIPPED_TAGS
            or names.get("translate") == "no"
            or (tag != "html" and "lang" in names)
        )
        if not hidden and not self._hidden():
            for attribute in ("placeholder", "aria-label"):
                if names.get(attribute):
                    self.texts.append(str(names[attribute]))
        if tag not in VOID_TAGS:
            self._stack.append(hidden)

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID_TAGS and self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if data.strip() and not self._hidden():
            self.texts.append(data.strip())


@pytest.fixture(scope="module")
def words() -> dict[str, Any]:
    english = _catalogue("en")
    codes = {
        code
        for labels in i18n.VOCABULARIES.values()
        for code in labels
        if len(code) >= 3 and code.isascii() and code.islower()
    }
    untranslated = {
        m for m, e in english.items() if e and e != m and re.search("[\u4e00-\u9fff]", m)
    }
    return {"codes": codes, "untranslated": untranslated}


def _reading_problems(html: str, language: str, words: dict[str, Any]) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    found = []
    for text in reader.texts:
        if CODE.search(text) or text in words["codes"]:
            found.append(f"raw code {text!r}")
        elif language == "zh-CN":
            english = [w for w in ENGLISH_WORD.findall(text) if w not in KEPT_NAMES]
            if english:
                found.append(f"English on a Chinese page {text!r}")
        elif text in words["untranslated"]:
            found.append(f"untranslated {text!r}")
    return found


def _check_both_languages(
    context: Any, url: str, where: str, words: dict[str, Any], problems: list[str]
) -> None:
    for language in i18n.LANGUAGES:
        answer = context.request.get(url + ("&" if "?" in url else "?") + f"lang={language}")
        if answer.status >= 400:
            continue  # reported by the visit itself
        problems += [
            f"{where} [{language}]: {p}" for p in _reading_problems(answer.text(), language, words)
        ]


def _summary(problems: list[str]) -> str:
    """Each problem once, with how many pages show it and one of them."""
    seen: dict[str, list[str]] = {}
    for problem in problems:
        where, _, what = problem.partition(": ")
        seen.setdefault(what, []).append(where)
    return "\n".join(f"{what} ({len(w)}x, e.g. {w[0]})" for what, w in sorted(seen.items()))


def _visit(page: Any, url: str, problems: list[str]) -> None:
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status >= 400:
        problems.append(f"{url}: HTTP {response.status if response else 'no answer'}")
    elif not url.endswith("/field/") and (  # the phone app has a menu of its own
        not page.locator("header nav a").count()
        or not page.locator("form[action='/logout']").count()
    ):
        # a signed-in page without the menu or the sign-out is a dead end (render(principal=…))
        problems.append(f"{url}: no navigation or sign-out on /{url.split('/', 3)[-1]}")


def test_every_navigation_page_of_every_role_loads_cleanly(site, browser, words) -> None:  # type: ignore[no-untyped-def]
    """Half the roles browse in English, half in Chinese; every page is read in both."""
    base, accounts = site
    i18n.missing_labels.clear()  # what other tests in this process asked for is theirs
    problems: list[str] = []
    visited = 0
    where = {"url": ""}  # the page being visited, for the messages
    for number, account in enumerate(accounts):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        if number % 2:
            context.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"{where['url']}: script {error}"))
        page.on(
            "console",
            lambda message: (
                problems.append(f"{where['url']}: console {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on(
            "response",
            lambda response: (
                problems.append(f"{where['url']}: {response.status} {response.url}")
                if response.status >= 400 and response.url.startswith(base)
                else None
            ),
        )
        where["url"] = f"{account.role.value} /login"
        page.goto(base + "/login")
        page.fill("input[name=username]", account.username)
        page.fill("input[name=password]", account.password)
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")
        links = page.eval_on_selector_all(
            "header nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
        )
        assert links, f"{account.role}: no navigation"
        for href in dict.fromkeys(links):
            where["url"] = f"{account.role.value} {href}"
            _visit(page, base + href, problems)
            _check_both_languages(context, base + href, where["url"], words, problems)
            visited += 1
            details = page.eval_on_selector_all(
                "main a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
            )
            for detail in dict.fromkeys(d for d in details if DETAIL_LINKS.match(d)):
                where["url"] = f"{account.role.value} {detail}"
                _visit(page, base + detail, problems)
                _check_both_languages(context, base + detail, where["url"], words, problems)
                visited += 1
                break
        context.close()
    assert visited > 20
    assert problems == [], _summary(problems)
    assert i18n.missing_labels == set()


def test_api_docs_render_offline(site, browser) -> None:  # type: ignore[no-untyped-def]
    """/docs is served from our own static folder (no CDN): it must render with no network."""
    base, _ = site
    page = browser.new_page()
    outside: list[str] = []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page.goto(base + "/docs", wait_until="networkidle")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "gridgov" in page.inner_text(".swagger-ui .info .title")
    # Swagger UI draws the operations as they scroll into view: the first tag's are there.
    page.wait_for_selector(".opblock")
    assert page.locator(".opblock").count() >= 10
    assert outside == []
