"""Cases on a person's timeline: a case at their home (any spelling of the address) or reported
from their phone (anywhere in the city) shows with its status and a link to the case — but only
to a reader who may read that case."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, system_principal
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case
from gridgov.people import service as people
from gridgov.people.schemas import PersonUpdate
from tests.auth.test_pages import web_login
from tests.factories import auth_headers, create_user
from tests.lifecycle.conftest import HOSPITAL_ADDRESS, Family

PHONE = "13912345678"
FAR_GRID = "420502002001001"  # another street: not the grid worker's


def _case(db: Session, number: str, *, grid: str, address: str, phone: str, state: str) -> Case:
    now = utcnow()
    case = Case(
        number=number,
        channel="hotline",
        category_code="E0102",
        department_code="HW",
        state=state,
        priority="normal",
        description=f"楼道堆放杂物，联系电话{phone}",
        address=address,
        grid_code=grid,
        reporter_phone_masked=crypto.mask_phone(phone),
        reporter_phone_enc=crypto.encrypt(phone),
        reported_at=now,
        dispatched_at=now,
        closed_at=now if state == "closed" else None,
        supervision_level=0,
        rework_count=0,
        extension_count=0,
    )
    db.add(case)
    db.flush()
    return case


def test_cases_at_home_or_reported_by_the_person_show_to_those_who_may_read_them(
    client: TestClient, db: Session, family: Family, grid: Any, worker: Any
) -> None:
    people.update_person(
        db,
        principal=system_principal("test"),
        person_id=family.mother.id,
        changes=PersonUpdate(phone=PHONE),
    )
    # At home, in a neighbour's spelling; reported by her in another street; a neighbour's case.
    home = _case(db, "TL0001", grid=grid.code, address=HOSPITAL_ADDRESS, phone="13700000001",
                 state="dispatched")  # fmt: skip
    far = _case(db, "TL0002", grid=FAR_GRID, address="西陵二路88号", phone=PHONE, state="closed")
    _case(db, "TL0003", grid=grid.code, address="夷陵大道60号1栋1单元101", phone="13700000002",
          state="dispatched")  # fmt: skip
    db.commit()

    # The command centre reads every case: both, with status, link and why.
    clerk = create_user(db, role=Role.DISPATCHER)
    db.commit()
    entries = client.get(
        f"/api/v1/lifecycle/persons/{family.mother.id}/timeline",
        headers=auth_headers(client, clerk),
    ).json()["entries"]
    cases = {e["title"].split()[0]: e for e in entries if e["kind"] == "case"}
    assert set(cases) == {"TL0001", "TL0002"}
    assert (cases["TL0001"]["status"], cases["TL0001"]["why"]) == ("dispatched", "home")
    assert (cases["TL0002"]["status"], cases["TL0002"]["why"]) == ("closed", "reported")
    assert cases["TL0002"]["href"] == f"/cases/{far.id}"
    assert PHONE not in cases["TL0002"]["detail"]  # the description's phone is masked

    # The grid's worker may not read the case in the other street: it is not on the page.
    web_login(client, worker.username)
    page = client.get(f"/lifecycle/persons/{family.mother.id}")
    assert page.status_code == 200
    row = page.text.split(f'data-ref="case:{home.id}"')[1].split("</tr>")[0]
    assert f'<a href="/cases/{home.id}">TL0001' in row
    assert "已派遣" in row and "住址相关" in row
    assert "TL0002" not in page.text and "TL0003" not in page.text
