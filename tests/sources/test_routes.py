"""The push API (per-source key, idempotent, limits) and the pages people use."""

from __future__ import annotations

import json
from datetime import date
from io import BytesIO

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.source import SourceLink, SourceRecord
from gridgov.people.identifiers import make_resident_id
from gridgov.sources.reconcile import reconcile
from gridgov.sources.service import MAX_PUSH_RECORDS
from tests.auth.test_pages import form_token, web_login
from tests.factories import auth_headers, create_user
from tests.sources.conftest import register

ID = make_resident_id("420502", date(1985, 3, 7), 123)


def _record(key: str, name: str = "王丽") -> dict[str, str]:
    return {"个人编号": key, "姓名": name, "公民身份号码": ID, "性别": "2", "出生日期": "1985-03-07",
            "参保日期": "2005-07-01", "人员状态": "参保缴费", "待遇状态": "未领取",
            "手机号码": "13800001234", "居住地址": "宜昌市西陵区解放路12号5-2-1203"}  # fmt: skip


def test_push_is_idempotent_and_refuses_bad_keys_columns_and_size(
    client: TestClient, db: Session
) -> None:
    source, key = register(db, "social_security")
    db.commit()
    url = "/api/v1/sources/social_security/records"
    first = client.post(url, json={"records": [_record("S1")]}, headers={"X-API-Key": key})
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["unchanged"]) == (1, 0)
    again = client.post(url, json={"records": [_record("S1")]}, headers={"X-API-Key": key})
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)
    changed = client.post(
        url, json={"records": [_record("S1", "王莉")]}, headers={"X-API-Key": key}
    )
    assert changed.json()["changed"] == 1
    assert (
        client.post(
            url, json={"records": [_record("S2")]}, headers={"X-API-Key": "gg_wrong"}
        ).status_code
        == 401
    )
    assert client.post(url, json={"records": [_record("S2")]}).status_code == 401
    unknown = client.post(
        url, json={"records": [{**_record("S3"), "外号": "x"}]}, headers={"X-API-Key": key}
    )
    assert unknown.status_code == 400 and "外号" in unknown.text
    # A full batch is larger than the general 2 MB body limit: the push path takes it (JSON
    # may carry whitespace; a batch of 10,000 real rows is about as large).
    padded = json.dumps({"records": [_record("S4")]}) + " " * 3_000_000
    big = client.post(
        url, content=padded, headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    assert big.status_code == 200 and big.json()["created"] == 1, big.text
    huge = json.dumps({"records": [_record("S5")]}) + " " * 9_000_000
    assert (
        client.post(
            url, content=huge, headers={"X-API-Key": key, "Content-Type": "application/json"}
        ).status_code
        == 413
    )
    too_many = [_record(f"T{i}") for i in range(MAX_PUSH_RECORDS + 1)]
    assert len(json.dumps({"records": too_many})) < 8 * 1024 * 1024  # refused by the service
    assert (
        client.post(url, json={"records": too_many}, headers={"X-API-Key": key}).status_code == 413
    )
    keys = db.scalars(select(SourceRecord.record_key).where(SourceRecord.source_id == source.id))
    assert sorted(keys) == ["S1", "S1", "S4"]  # two versions of S1, the big batch; nothing else


def _sign_in(client: TestClient, db: Session, role: Role, **extra: str) -> None:
    client.cookies.clear()
    user = create_user(db, role=role, **extra)  # type: ignore[arg-type]
    assert web_login(client, user.username).status_code == 303


def test_pages_review_pair_keyboard_form_and_quality_excel(client: TestClient, db: Session) -> None:
    from gridgov.authz.principal import system_principal
    from gridgov.sources.service import load_rows

    source, _ = register(db, "social_security")
    system = system_principal("test")
    load_rows(db, principal=system, source=source, rows=[(2, _record("S1"))], channel="file")
    reconcile(db, principal=system, sources=[source], train=False)  # empty base: unmatched
    link = db.scalar(select(SourceLink))
    assert link is not None and link.decision == "unmatched"
    link.decision, link.grid_code, link.probability = "review", "420502001001001", 0.8
    link.explanation = [{"comparison": "姓名", "level": "读音相同", "weight": 3.5}]
    db.commit()

    _sign_in(client, db, Role.COMMUNITY_STAFF, region_code="420502001001")
    queue = client.get("/sources/review")
    assert queue.status_code == 200 and f'data-link="{link.id}"' in queue.text
    pair = client.get(f"/sources/review/{link.id}")
    assert "读音相同" in pair.text and "+3.5" in pair.text and 'data-key="a"' in pair.text
    decided = client.post(
        f"/sources/review/{link.id}",
        data={"verdict": "reject", "csrf_token": form_token(pair.text)},
        follow_redirects=False,
    )
    assert decided.status_code == 303
    decision = db.scalar(select(SourceLink).where(SourceLink.current.is_(True)))
    assert decision is not None and decision.decision == "rejected"
    # A decision already made is explained on the same page (no buttons) and by the API.
    shown = client.get(f"/sources/review/{decision.id}")
    assert shown.status_code == 200 and "复核否定" in shown.text and "读音相同" in shown.text
    assert 'id="decide"' not in shown.text
    staff = create_user(db, role=Role.STREET_STAFF, region_code="420502001")
    explained = client.get(
        f"/api/v1/sources/links/{decision.id}", headers=auth_headers(client, staff)
    )
    assert explained.status_code == 200 and explained.json()["explanation"][0]["weight"] == 3.5

    _sign_in(client, db, Role.COMMUNITY_STAFF, region_code="420502002001")
    assert client.get(f"/sources/review/{link.id}").status_code == 404

    _sign_in(client, db, Role.DATA_OFFICE)
    registry = client.get("/sources")
    assert registry.status_code == 200 and "社保参保" in registry.text
    report = client.get("/sources/social_security/quality")
    assert report.status_code == 200 and "复核否定" in report.text
    excel = client.get("/sources/social_security/quality.xlsx")
    book = load_workbook(BytesIO(excel.content))
    assert book.sheetnames[0] == "历次载入" and book.worksheets[0].max_row == 2
    assert client.get("/sources/findings").status_code == 200

    _sign_in(client, db, Role.GRID_WORKER)
    assert client.get("/sources/review").status_code == 403


def test_upload_page_loads_good_rows_and_lists_bad_ones(client: TestClient, db: Session) -> None:
    register(db, "social_security")
    db.commit()
    _sign_in(client, db, Role.DATA_OFFICE)
    page = client.get("/sources")
    header = list(_record("x"))
    lines = [",".join(header), ",".join(_record("S1").values()),
             ",".join({**_record("S2"), "出生日期": "去年"}.values())]  # fmt: skip
    answer = client.post(
        "/sources/social_security/upload",
        data={"csrf_token": form_token(page.text)},
        files={"file": ("ss.csv", "\n".join(lines).encode("utf-8"), "text/csv")},
    )
    assert answer.status_code == 200, answer.text
    assert 'id="load-result"' in answer.text and "去年" in answer.text
    assert db.scalars(select(SourceRecord.record_key)).all() == ["S1"]
