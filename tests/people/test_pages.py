from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.models.audit import AuditEntry
from gridgov.people import service
from gridgov.people.identifiers import make_resident_id
from tests.auth.test_pages import form_token, web_login
from tests.factories import create_user
from tests.people.conftest import GRID_A, person_in

SYSTEM = system_principal("test")


def _signed_in(client: TestClient, db: Session, role: Role, region: str | None) -> None:
    user = create_user(db, role=role, region_code=region)
    assert web_login(client, user.username).status_code == 303


def test_search_detail_full_view_and_edit(
    client: TestClient, db: Session, grids: list[str]
) -> None:
    person = service.create_person(db, principal=SYSTEM, person_in=person_in())
    _signed_in(client, db, Role.COMMUNITY_STAFF, GRID_A[:12])
    listing = client.get("/people", params={"q": "wxm", "region": GRID_A})
    assert listing.status_code == 200 and "王小明" in listing.text
    assert "138****1234" in listing.text and "13800001234" not in listing.text
    detail = client.get(f"/people/persons/{person.id}")
    assert detail.status_code == 200 and "变更历史" in detail.text
    full = client.post(
        f"/people/persons/{person.id}/full-view",
        data={"purpose": "入户核实", "csrf_token": form_token(detail.text)},
    )
    assert full.status_code == 200 and "13800001234" in full.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.purpose == "入户核实"))

    form = client.get(f"/people/persons/{person.id}/edit")
    assert form.status_code == 200
    token = form_token(form.text)
    bad = client.post(
        f"/people/persons/{person.id}/edit",
        data={
            "csrf_token": token,
            "base_version": "1",
            "name": "王小明",
            "birth_date": "1985-03-15",
            "grid_code": GRID_A,
        },
    )
    assert bad.status_code == 422 and "出生日期与身份证号不一致" in bad.text
    saved = client.post(
        f"/people/persons/{person.id}/edit",
        data={
            "csrf_token": token,
            "base_version": "1",
            "name": "王小明",
            "current_address": "宜昌市西陵区解放路3号",
            "living_status": "moved_away",
            "residence_type": "registered",
            "grid_code": GRID_A,
            "reason": "迁往外地",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    assert (
        service.get_person(db, principal=SYSTEM, person_id=person.id).living_status == "moved_away"
    )
    stale = client.post(
        f"/people/persons/{person.id}/edit",
        data={"csrf_token": token, "base_version": "1", "name": "王大明", "grid_code": GRID_A},
    )
    assert stale.status_code == 409 and "记录已被他人修改" in stale.text


def test_new_person_form_and_import_page(client: TestClient, db: Session, grids: list[str]) -> None:
    _signed_in(client, db, Role.STREET_STAFF, GRID_A[:9])
    form = client.get("/people/persons/new")
    token = form_token(form.text)
    bad_id = make_resident_id("420502", date(1990, 2, 3), 5)[:-1] + "0"
    if bad_id == make_resident_id("420502", date(1990, 2, 3), 5):
        bad_id = bad_id[:-1] + "1"
    rejected = client.post(
        "/people/persons/new",
        data={"csrf_token": token, "id_number": bad_id, "name": "测试", "grid_code": GRID_A},
    )
    assert rejected.status_code == 422 and "身份证号校验码错误" in rejected.text
    created = client.post(
        "/people/persons/new",
        data={
            "csrf_token": token,
            "id_number": make_resident_id("420502", date(1990, 2, 3), 5),
            "name": "测试",
            "grid_code": GRID_A,
            "residence_type": "registered",
            "living_status": "alive",
            "tags": ["disabled"],
        },
        follow_redirects=False,
    )
    assert created.status_code == 303, created.text

    page = client.get("/people/import")
    assert page.status_code == 200
    csv_bytes = (
        "身份证号,姓名,网格编码\n"
        f"{make_resident_id('420502', date(1991, 2, 3), 7)},新人,{GRID_A}\n"
        f"{bad_id},坏人,{GRID_A}\n"
    ).encode()
    assert "/people/import/template.xlsx" in page.text
    checked = client.post(
        "/people/import",
        data={"csrf_token": form_token(page.text)},
        files={"file": ("p.csv", csv_bytes, "text/csv")},
    )  # checked, kept on the server, shown under its id
    assert checked.status_code == 200 and "尚未导入" in checked.text and "校验码" in checked.text
    report_url = str(checked.url)
    assert re.search(r"/people/import/\d+$", report_url)
    assert f'action="{report_url.split("testserver")[1]}/commit"' in checked.text
    done = client.post(f"{report_url}/commit", data={"csrf_token": form_token(checked.text)})
    assert done.status_code == 200 and "已导入 1 人" in done.text
    again = client.post(f"{report_url}/commit", data={"csrf_token": form_token(done.text)})
    assert again.status_code == 409 and "该批次已导入" in again.text


def test_pages_need_sign_in_and_role(client: TestClient, db: Session, grids: list[str]) -> None:
    assert client.get("/people", follow_redirects=False).status_code == 303
    _signed_in(client, db, Role.AUDITOR, None)
    assert client.get("/people").status_code == 403


def test_export_download(client: TestClient, db: Session, grids: list[str]) -> None:
    service.create_person(db, principal=SYSTEM, person_in=person_in())
    _signed_in(client, db, Role.COMMUNITY_STAFF, GRID_A[:12])
    response = client.get("/people/export", params={"kind": "persons", "format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "王小明" in text and "138****1234" in text
    houses = client.get("/people/export", params={"kind": "houses", "format": "xlsx"})
    assert houses.status_code == 200 and houses.content[:2] == b"PK"


def test_house_edit_form(client: TestClient, db: Session, grids: list[str]) -> None:
    from gridgov.housing import service as housing
    from gridgov.housing.schemas import HouseCreate

    house = housing.create_house(
        db,
        principal=SYSTEM,
        house_in=HouseCreate(address="宜昌市西陵区解放路9号", grid_code=GRID_A),
    )
    db.commit()
    _signed_in(client, db, Role.GRID_WORKER, GRID_A)
    form = client.get(f"/people/houses/{house.id}/edit")
    assert form.status_code == 200
    token = form_token(form.text)
    saved = client.post(
        f"/people/houses/{house.id}/edit",
        data={
            "csrf_token": token,
            "base_version": "1",
            "address": "宜昌市西陵区解放路9号",
            "use": "rented",
            "owner_name": "周某",
            "status": "active",
            "reason": "出租",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    detail = client.get(f"/people/houses/{house.id}")
    assert "第 2 版" in detail.text and "出租" in detail.text
    bad = client.post(
        f"/people/houses/{house.id}/edit",
        data={
            "csrf_token": token,
            "base_version": "2",
            "address": "宜昌",
            "use": "rented",
            "status": "active",
        },
    )
    assert bad.status_code == 422 and "内容太短" in bad.text
