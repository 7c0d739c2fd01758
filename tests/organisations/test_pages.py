"""The organisation edit page is the generic record form (web/record_forms.py), as for houses
and households: the version the edit was made on, the reason, errors on the page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.organisations import service
from gridgov.organisations.schemas import OrganisationCreate
from gridgov.people.identifiers import make_credit_code
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.people.conftest import GRID_A

SYSTEM = system_principal("test")


def test_organisation_edit_form(client: TestClient, db: Session, grids: list[str]) -> None:
    organisation = service.create_organisation(
        db,
        principal=SYSTEM,
        organisation_in=OrganisationCreate(
            credit_code=make_credit_code("9", "2", "420502", "L0000002X"),
            name="李记牛肉面馆",
            org_type="individual_business",
            grid_code=GRID_A,
        ),
    )
    db.commit()
    reader = create_user(db, role=Role.INSPECTOR)
    assert web_login(client, reader.username).status_code == 303
    assert "/edit" not in client.get(f"/people/organisations/{organisation.id}").text
    assert client.get(f"/people/organisations/{organisation.id}/edit").status_code == 403

    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    assert web_login(client, worker.username).status_code == 303
    detail = client.get(f"/people/organisations/{organisation.id}")
    assert f'href="/people/organisations/{organisation.id}/edit"' in detail.text
    form = client.get(f"/people/organisations/{organisation.id}/edit")
    assert form.status_code == 200 and "个体工商户" in form.text and "李记牛肉面馆" in form.text
    token = form_token(form.text)
    fields = {
        "csrf_token": token,
        "name": "李记牛肉面馆",
        "org_type": "individual_business",
        "industry": "",
        "address": "",
        "legal_representative": "李某",
        "status": "suspended",
    }
    saved = client.post(
        f"/people/organisations/{organisation.id}/edit",
        data={**fields, "base_version": "1", "reason": "停业整顿"},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    detail = client.get(f"/people/organisations/{organisation.id}")
    assert "第 2 版" in detail.text and "停业" in detail.text and "李某" in detail.text
    assert "停业整顿" in detail.text  # the reason, in the history
    stale = client.post(
        f"/people/organisations/{organisation.id}/edit",
        data={**fields, "base_version": "1", "status": "closed"},
    )
    assert stale.status_code == 409
    short = client.post(
        f"/people/organisations/{organisation.id}/edit",
        data={**fields, "base_version": "2", "name": "李"},
    )
    assert short.status_code == 422 and "内容太短" in short.text
