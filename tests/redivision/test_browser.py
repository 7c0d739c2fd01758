"""District staff review a drifted community's proposal on the two maps and approve it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.kit.db import make_engine
from gridgov.models.region import Region
from gridgov.redivision import service
from gridgov.sim.growth import grow, shrink
from tests.firsthour.site import colours, demo_site, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(fresh_database_url, tmp_path_factory) -> Iterator[tuple[str, dict[str, str], int]]:
    url = fresh_database_url("sqlite")
    with demo_site(url, str(tmp_path_factory.mktemp("media"))) as (base, passwords):
        engine = make_engine(url)
        with Session(engine) as session:
            community = session.scalars(
                select(Region.code).where(Region.level == "community").order_by(Region.code)
            ).all()[-1]
            grids = session.scalars(
                select(Region.code)
                .where(Region.level == "grid", Region.code.like(community + "%"))
                .order_by(Region.code)
            ).all()
            grow(session, grid_code=grids[0], households=240)
            shrink(session, grid_code=grids[1], keep=110)
            proposal = service.propose(
                session, principal=system_principal("test"), community_code=community
            )
            session.commit()
            proposal_id = proposal.id
        engine.dispose()
        yield base, passwords, proposal_id


def test_drift_map_and_proposal_maps_draw_and_approval_applies(site, browser) -> None:
    base, passwords, proposal_id = site
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, base, "district_staff", passwords["district_staff"])
    page.goto(base + "/redivision?region=420502")
    page.wait_for_selector("#drift-map[data-features]")
    assert int(page.get_attribute("#drift-map", "data-features") or 0) >= 10
    assert colours(page, "#drift-map") > 3  # green grids and the red / blue drifted ones
    assert page.locator("#out-grids tbody tr").count() == 2
    page.goto(f"{base}/redivision/proposals/{proposal_id}")
    page.wait_for_selector("#proposal-maps[data-slots]", state="attached")
    assert int(page.get_attribute("#proposal-maps", "data-units") or 0) > 10
    assert int(page.get_attribute("#proposal-maps", "data-slots") or 0) >= 4
    assert colours(page, "#map-today") > 4 and colours(page, "#map-proposed") > 4
    page.click("#approve-form button:not(.secondary)")
    page.wait_for_load_state("networkidle")
    assert page.locator("#state").inner_text() == "已批准并生效"
    context.close()
