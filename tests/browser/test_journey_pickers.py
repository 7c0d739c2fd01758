"""The phone's resident and address pickers search (issue 10: hundreds of residents and
addresses in one grid could not be picked from a plain list), on demo data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.firsthour.site import demo_site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(fresh_database_url, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    url = fresh_database_url("sqlite")
    with demo_site(url, str(tmp_path_factory.mktemp("media")), grids=4) as running:
        yield running


def test_worker_finds_a_resident_and_an_address_by_typing(site, browser) -> None:  # type: ignore[no-untyped-def]
    base, passwords = site
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(base + "/field/")
    page.fill("input[name=username]", "grid_worker")
    page.fill("input[name=password]", passwords["grid_worker"])
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#grid-card")
    page.click("nav button[data-view=forms]")
    page.click("[data-module=population]")
    form = page.locator("#module-form")
    options = form.locator("select[name=__subject] option").all_inner_texts()
    assert len(options) > 100  # a real grid: a list too long to scroll
    # A newcomer's new household: find the house by its address.
    address = form.locator("select[name=__household] option").all_inner_texts()[-1]
    form.locator("input[name=__find_house]").fill(address[-8:])
    picked = form.locator("select[name=__household]").evaluate(
        "s => s.options[s.selectedIndex].textContent"
    )
    assert picked.endswith(address[-8:])
    wanted = options[len(options) // 2]
    name = wanted.split(" ")[0]
    form.locator("input[name=__find_subject]").fill(name)
    chosen = form.locator("select[name=__subject]").evaluate(
        "s => s.options[s.selectedIndex].textContent"
    )
    assert chosen.startswith(name)
    matches = int(form.locator("input[name=__find_subject]").get_attribute("data-matches") or 0)
    assert 1 <= matches < len(options) - 1
    phone.close()
