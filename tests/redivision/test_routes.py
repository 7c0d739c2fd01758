"""What district and community staff see and do through the API and the pages."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.household import Household
from gridgov.models.redivision import RedivisionProposal
from tests.auth.test_pages import form_token, web_login
from tests.factories import auth_headers, create_user
from tests.redivision.conftest import Built


def test_drift_api_lists_out_of_range_grids_with_loads(
    client: TestClient, db: Session, drifted: Built
) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=drifted.community)
    response = client.get(
        "/api/v1/redivision/drift",
        params={"region": drifted.community},
        headers=auth_headers(client, staff),
    )
    assert response.status_code == 200
    body = response.json()
    by_code = {g["code"]: g for g in body["grids"]}
    assert set(by_code) == {drifted.codes[0], drifted.codes[1]}
    assert by_code[drifted.codes[0]]["households"] == 500
    assert by_code[drifted.codes[0]]["deviation"] == round(200 / 300, 3)
    assert by_code[drifted.codes[1]]["deviation"] == round((80 - 200) / 200, 3)
    assert by_code[drifted.codes[0]]["persons"] == 1000
    assert by_code[drifted.codes[0]]["open_cases"] == 1
    assert body["communities"][0]["out_of_range"] == 2
    # Another community's staff do not see it.
    other = create_user(db, role=Role.COMMUNITY_STAFF, region_code="420599001099")
    hidden = client.get(
        "/api/v1/redivision/drift",
        params={"region": drifted.community},
        headers=auth_headers(client, other),
    )
    assert hidden.status_code == 404


def test_community_staff_may_not_propose(client: TestClient, db: Session, drifted: Built) -> None:
    staff = create_user(db, role=Role.COMMUNITY_STAFF, region_code=drifted.community)
    response = client.post(
        "/api/v1/redivision/proposals",
        json={"community_code": drifted.community},
        headers=auth_headers(client, staff),
    )
    assert response.status_code == 403


def test_district_staff_propose_review_and_approve_on_the_pages(
    client: TestClient, db: Session, drifted: Built
) -> None:
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=drifted.community[:6])
    assert web_login(client, staff.username).status_code == 303
    page = client.get("/redivision", params={"region": drifted.community})
    assert page.status_code == 200
    assert drifted.codes[0] in page.text and "计算调整方案" in page.text
    made = client.post(
        "/redivision/propose",
        data={"community": drifted.community, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    proposal = db.scalars(
        select(RedivisionProposal).where(RedivisionProposal.community_code == drifted.community)
    ).one()
    shown = client.get(f"/redivision/proposals/{proposal.id}")
    assert shown.status_code == 200
    assert "待审批" in shown.text and str(proposal.households_moved) in shown.text
    raw = client.get(f"/api/v1/redivision/proposals/{proposal.id}/map.geojson")
    assert raw.status_code == 200, raw.text
    geojson = raw.json()
    kinds = [f["properties"]["kind"] for f in geojson["features"]]
    assert kinds.count("unit") == len(proposal.plan["units"])
    assert kinds.count("slot") == len(set(proposal.plan["assignment"]))
    approved = client.post(
        f"/redivision/proposals/{proposal.id}/approve",
        data={"note": "同意", "csrf_token": form_token(shown.text)},
        follow_redirects=False,
    )
    assert approved.status_code == 303
    after = client.get(f"/redivision/proposals/{proposal.id}")
    assert "已批准并生效" in after.text
    counts: dict[str, int] = {}
    for (code,) in db.execute(
        select(Household.grid_code).where(Household.grid_code.like(drifted.community + "%"))
    ):
        counts[code] = counts.get(code, 0) + 1
    assert all(200 <= n <= 300 for n in counts.values()), counts


def test_approval_for_a_later_day_waits_and_can_be_called_off_on_the_page(
    client: TestClient, db: Session, drifted: Built
) -> None:
    staff = create_user(db, role=Role.DISTRICT_STAFF, region_code=drifted.community[:6])
    assert web_login(client, staff.username).status_code == 303
    headers = auth_headers(client, staff)
    made = client.post(
        "/api/v1/redivision/proposals",
        json={"community_code": drifted.community},
        headers=headers,
    )
    assert made.status_code in (200, 201), made.text
    proposal_id = made.json()["id"]
    before = sorted(
        db.scalars(
            select(Household.grid_code).where(Household.grid_code.like(drifted.community + "%"))
        )
    )
    shown = client.get(f"/redivision/proposals/{proposal_id}")
    assert 'name="effective_on"' in shown.text
    wrong = client.post(
        f"/redivision/proposals/{proposal_id}/approve",
        data={"effective_on": "2027-13-40", "csrf_token": form_token(shown.text)},
    )
    assert "生效日期格式应为" in wrong.text  # said on the page, nothing decided
    later = (date.today() + timedelta(days=30)).isoformat()
    approved = client.post(
        f"/redivision/proposals/{proposal_id}/approve",
        data={"note": "下月一日起", "effective_on": later, "csrf_token": form_token(shown.text)},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    waiting = client.get(f"/redivision/proposals/{proposal_id}")
    assert "已批准，待生效" in waiting.text and later in waiting.text
    assert 'id="cancel-form"' in waiting.text and 'id="approve-form"' not in waiting.text
    after = sorted(
        db.scalars(
            select(Household.grid_code).where(Household.grid_code.like(drifted.community + "%"))
        )
    )
    assert after == before  # nothing moved yet
    called_off = client.post(
        f"/redivision/proposals/{proposal_id}/reject",
        data={"note": "规划调整", "csrf_token": form_token(waiting.text)},
        follow_redirects=False,
    )
    assert called_off.status_code == 303
    assert "已退回" in client.get(f"/redivision/proposals/{proposal_id}").text
