"""The household page and its edit form (the generic record form, web/record_forms.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.people import service
from gridgov.people.schemas import HouseholdCreate
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.people.conftest import GRID_A

SYSTEM = system_principal("test")


def test_household_edit_form(client: TestClient, db: Session, grids: list[str]) -> None:
    household = service.create_household(
        db, principal=SYSTEM, household_in=HouseholdCreate(grid_code=GRID_A, address="解放路9号")
    )
    db.commit()
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    assert web_login(client, worker.username).status_code == 303
    page = client.get(f"/people/households/{household.id}")
    assert page.status_code == 200 and f"/people/households/{household.id}/edit" in page.text
    form = client.get(f"/people/households/{household.id}/edit")
    assert form.status_code == 200 and "解放路9号" in form.text
    saved = client.post(
        f"/people/households/{household.id}/edit",
        data={
            "csrf_token": form_token(form.text),
            "base_version": "1",
            "address": "解放路9号附1号",
            "kind": "resident",
            "status": "active",
            "reason": "门牌调整",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"/{household.id}")
    page = client.get(f"/people/households/{household.id}")
    assert "第 2 版" in page.text and "解放路9号附1号" in page.text and "实有住户" in page.text
