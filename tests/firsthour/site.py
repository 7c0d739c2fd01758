"""A demo-like city served for the browser journeys and map tests: a small synthetic city with
residents, simulated cases, the reference collection modules, the demo accounts and the vector
base map, as ``gridgov demo`` builds it."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from gridgov.auth.demo import create_demo_accounts
from gridgov.fieldwork.forms.registry import install_defaults
from gridgov.kit.db import make_engine
from gridgov.sim.basemap import build_basemap
from gridgov.sim.cases import simulate_cases
from gridgov.sim.city import build_city
from tests.live import live_server, server_settings


@contextmanager
def demo_site(url: str, media_dir: str, *, grids: int = 12) -> Iterator[tuple[str, dict[str, str]]]:
    """Yields the base URL and every demo account's password by username."""
    settings = server_settings(url, media_dir=media_dir)
    engine = make_engine(url)
    with Session(engine) as session:
        build_city(session, grids=grids, seed=5, with_population=True)
        simulate_cases(session, seed=5, count=60, days=10)
        install_defaults(session)
        accounts = create_demo_accounts(session, settings=settings)
        build_basemap(session)
        session.commit()
    engine.dispose()
    with live_server(settings) as base:
        yield base, {a.username: a.password for a in accounts}


def sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")


def colours(page: Any, selector: str) -> int:
    """How many different colours a screenshot of the element shows (decoded by the browser)."""
    png = base64.b64encode(page.locator(selector).screenshot()).decode()
    return int(
        page.evaluate(
            """async (data) => {
              const image = new Image();
              image.src = "data:image/png;base64," + data;
              await image.decode();
              const canvas = document.createElement("canvas");
              canvas.width = image.width; canvas.height = image.height;
              const context = canvas.getContext("2d");
              context.drawImage(image, 0, 0);
              const pixels = context.getImageData(0, 0, image.width, image.height).data;
              const seen = new Set();
              for (let i = 0; i < pixels.length; i += 4) {
                seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
              }
              return seen.size;
            }""",
            png,
        )
    )


def layer_size(page: Any, selector: str) -> tuple[float, float]:
    """Width and height of the element the map draws into (SVG or canvas)."""
    box = page.evaluate(
        "(s) => { const r = document.querySelector(s).getBoundingClientRect();"
        " return [r.width, r.height]; }",
        selector,
    )
    return float(box[0]), float(box[1])
