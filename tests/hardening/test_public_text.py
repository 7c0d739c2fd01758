"""Issue 16 items 9 and 17: Open311 republishes only a real http(s) URL as media_url, and ID and
phone numbers a resident wrote into free text are masked on every public output (Open311 JSON
and XML, the tracking page and API) while the stored text stays intact for the staff."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import categories
from gridgov.cases import service as case_service
from gridgov.models.case import Case
from gridgov.models.region import Region
from gridgov.workcal import service as workcal
from tests.cases.helpers import POINT_A, make_city

BASE = "/open311/v2"
ID_NUMBER = "42050219930517209X"
PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    yield
    categories.clear_cache()
    workcal.clear_cache()


@pytest.fixture
def city(db: Session) -> dict[str, Region]:
    return make_city(db)


@pytest.fixture
def api_key(db: Session) -> str:
    _, key = case_service.add_client(db, name="市民随手拍", kind="open311")
    db.commit()
    return key


def report(client: TestClient, api_key: str, **form: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"{BASE}/requests.json",
        data={
            "api_key": api_key,
            "service_code": "E0102",
            "lat": str(POINT_A[1]),
            "long": str(POINT_A[0]),
            **form,
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        'http://x/"><script>alert(1)</script>',
        "http://exa mple.cn/p.jpg",
        "javascript:alert(1)",
        "http:///p.jpg",
        "https://a..b/p.jpg",
    ],
)
def test_media_url_must_be_a_url(client: TestClient, city: dict, api_key: str, url: str) -> None:
    response = report(client, api_key, description="垃圾", media_url=url)
    assert response.status_code == 400, response.text
    assert "media_url" in response.text


def test_a_real_media_url_is_republished(client: TestClient, city: dict, api_key: str) -> None:
    url = "https://img.example.cn/2026/12/p.jpg?size=large"
    number = report(client, api_key, description="垃圾", media_url=url).json()[0][
        "service_request_id"
    ]
    assert client.get(f"{BASE}/requests/{number}.json").json()[0]["media_url"] == url


def test_numbers_in_free_text_are_masked_on_public_outputs(
    client: TestClient, city: dict, api_key: str, db: Session
) -> None:
    text = f"门口垃圾没人管，联系我 {PHONE}，身份证 {ID_NUMBER}"
    created = report(client, api_key, description=text)
    assert created.status_code == 200, created.text
    number = created.json()[0]["service_request_id"]
    case = db.scalar(select(Case).where(Case.number == number))
    assert case is not None and case.description == text  # stored intact
    case.status_note = f"已联系居民 {PHONE}"
    db.commit()

    outputs = [
        client.get(f"{BASE}/requests/{number}.json").text,
        client.get(f"{BASE}/requests.json").text,
        client.get(f"{BASE}/requests/{number}.xml").text,
        client.get(f"/api/v1/cases/track/{number}").text,
        client.get("/track", params={"number": number}).text,
    ]
    for output in outputs:
        assert PHONE not in output and ID_NUMBER not in output, output[:400]
    listed = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert "138****5678" in listed["description"] and "420502********209X" in listed["description"]
    assert listed["status_notes"] == "已联系居民 138****5678"
    assert "138****5678" in outputs[3] and "138****5678" in outputs[4]


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("１３８１２３４５６７８", "１３８****５６７８"),  # a full-width keyboard
        ("420502 19930517 209X", "420502 ******** 209X"),  # an ID number in its groups
        ("4205 0219 9305 1720 9X", "4205 02** **** **20 9X"),
        ("身份证４２０５０２１９９３０５１７２０９Ｘ", "身份证４２０５０２********２０９Ｘ"),
    ],
)
def test_numbers_written_otherwise_are_masked_too(
    client: TestClient, city: dict, api_key: str, written: str, shown: str
) -> None:
    created = report(client, api_key, description=f"垃圾没人管 {written}")
    assert created.status_code == 200, created.text
    number = created.json()[0]["service_request_id"]
    listed = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert listed["description"] == f"垃圾没人管 {shown}"
    for output in (
        client.get(f"{BASE}/requests/{number}.xml").text,
        client.get(f"/api/v1/cases/track/{number}").text,
        client.get("/track", params={"number": number}).text,
    ):
        assert written not in output, output[:400]
