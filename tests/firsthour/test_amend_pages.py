"""The clerk completes a resident's report that came with an address but no point, then
registers it (issue 10: such a report could never be registered)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, resident_principal
from gridgov.cases import intake
from gridgov.cases.schemas import CaseCreate
from gridgov.config import Mode, Settings
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case, CaseEvent
from gridgov.models.house import House
from tests.auth.test_pages import form_token, web_login
from tests.cases.conftest import _fresh_caches, city  # noqa: F401 (fixtures)
from tests.cases.helpers import GRID_A, POINT_A
from tests.factories import create_user

ADDRESS = "宜昌市西陵区解放路12号1栋1单元101"


def test_clerk_sets_place_and_category_then_registers(
    client: TestClient,
    db: Session,
    city: dict,  # noqa: F811
) -> None:
    db.add(
        House(
            address=ADDRESS,
            grid_code=GRID_A,
            building="1栋",
            lng=POINT_A[0],
            lat=POINT_A[1],
            changed_at=utcnow(),
            change_source="test",
        )
    )
    resident = intake.create_case(
        db,
        principal=resident_principal("web"),
        data=CaseCreate(
            channel="web", category_code="E0102", description="楼下有垃圾", address="解放路12号"
        ),
        channel="web",
        photos=[],
        settings=Settings(mode=Mode.TEST),
    ).case
    db.commit()
    clerk = create_user(db, role=Role.INTAKE_CLERK)
    web_login(client, clerk.username)
    page = client.get(f"/cases/{resident.id}")
    assert 'id="amend-form"' in page.text
    token = form_token(page.text)
    refused = client.post(f"/cases/{resident.id}/move/register", data={"csrf_token": token})
    assert refused.status_code in (400, 409) and "类别和位置" in refused.text

    found = client.get(f"/cases/{resident.id}/addresses", params={"q": "解放路12号"}).json()
    assert found == [
        {"address": ADDRESS, "lng": POINT_A[0], "lat": POINT_A[1], "grid_code": GRID_A}
    ]
    amended = client.post(
        f"/cases/{resident.id}/amend",
        data={
            "csrf_token": token,
            "category_code": "C0301",
            "address": found[0]["address"],
            "lng": str(found[0]["lng"]),
            "lat": str(found[0]["lat"]),
            "note": "电话核实地址",
        },
        follow_redirects=False,
    )
    assert amended.status_code == 303, amended.text
    db.expire_all()
    case = db.scalar(select(Case).where(Case.id == resident.id))
    assert case is not None
    assert (case.category_code, case.grid_code, case.address) == ("C0301", GRID_A, ADDRESS)
    event = db.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
    ).first()
    assert event is not None and event.move == "amend" and event.note == "电话核实地址"
    page = client.get(f"/cases/{resident.id}")
    registered = client.post(
        f"/cases/{resident.id}/move/register",
        data={"csrf_token": form_token(page.text)},
        follow_redirects=False,
    )
    assert registered.status_code == 303
    db.expire_all()
    assert db.get(Case, resident.id).state == "registered"  # type: ignore[union-attr]


def test_others_may_not_amend(client: TestClient, db: Session, city: dict) -> None:  # noqa: F811
    worker = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
    web_login(client, worker.username)
    assert client.get("/cases/1/addresses", params={"q": "解放路"}).status_code == 403
