"""A proposal the solver could not prove best (or a stale one) can be computed again from its
page, with a longer search; the drift page's button offers the search time too."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.redivision import pages, service
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.redivision.conftest import Built

SYSTEM = system_principal("test-redivision")


def test_recompute_with_a_longer_search_from_the_proposal_page(
    client: TestClient, db: Session, drifted: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    proposal.solver_status = "feasible"  # stopped at the time limit
    db.flush()
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=drifted.community[:6])
    assert web_login(client, staff.username).status_code == 303
    page = client.get(f"/redivision/proposals/{proposal.id}")
    assert 'id="recompute"' in page.text and "重新计算" in page.text
    # The form sits inside the block (a form inside a <p> would be pushed out of it).
    block = page.text.split('id="recompute"', 1)[1].split("</div>", 1)[0]
    assert 'name="time_limit"' in block and '<option value="15" selected>' in block

    asked: dict[str, Any] = {}

    def propose(session: Session, **kwargs: Any) -> Any:
        asked.update(kwargs)
        return proposal

    monkeypatch.setattr(pages.service, "propose", propose)
    again = client.post(
        "/redivision/propose",
        data={
            "community": drifted.community,
            "time_limit": "15",
            "csrf_token": form_token(page.text),
        },
        follow_redirects=False,
    )
    assert again.status_code == 303
    assert asked["community_code"] == drifted.community and asked["time_limit"] == 15.0

    drift_page = client.get("/redivision", params={"region": drifted.community})
    assert 'name="time_limit"' in drift_page.text


def test_a_proven_proposal_offers_no_recompute(
    client: TestClient, db: Session, drifted: Built
) -> None:
    proposal = service.propose(db, principal=SYSTEM, community_code=drifted.community, time_limit=5)
    proposal.solver_status = "optimal"
    db.flush()
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=drifted.community[:6])
    assert web_login(client, staff.username).status_code == 303
    assert 'id="recompute"' not in client.get(f"/redivision/proposals/{proposal.id}").text
