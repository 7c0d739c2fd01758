"""Open311 GeoReport v2: discovery, services, definitions, POST with api_key, tokens, GET with
filters and defaults, both formats, and the error shape."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.cases import service as case_service
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case
from tests.cases.helpers import OUTSIDE, POINT_A

BASE = "/open311/v2"


@pytest.fixture
def api_key(db: Session) -> str:
    _, key = case_service.add_client(db, name="市民随手拍", kind="open311")
    db.commit()
    return key


def post(client: TestClient, fmt: str = "json", **form: str):  # type: ignore[no-untyped-def]
    return client.post(f"{BASE}/requests.{fmt}", data=form)


def xml(response) -> ET.Element:  # type: ignore[no-untyped-def]
    assert response.headers["content-type"].startswith("text/xml")
    assert response.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return ET.fromstring(response.content)


def test_discovery_both_formats(client: TestClient) -> None:
    body = client.get(f"{BASE}/discovery.json").json()
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "text/xml",
        "application/json",
    ]


def test_services_and_definitions(client: TestClient) -> None:
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"E0102", "C0101", "E0503"} <= codes and "E01" not in codes
    garbage = next(s for s in services if s["service_code"] == "E0102")
    assert garbage["metadata"] is True and garbage["type"] == "realtime"
    assert "暴露垃圾" in garbage["service_name"] and garbage["group"].startswith("市容环境")
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and len(root.findall("service")) == len(services)
    definition = client.get(f"{BASE}/services/E0102.json").json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "volume" and attribute["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attribute["values"]} == {"small", "medium", "large"}
    root = xml(client.get(f"{BASE}/services/E0102.xml"))
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(f"{BASE}/services/NOPE.json")
    assert missing.status_code == 404
    assert missing.json() == [{"code": 404, "description": "service_code NOPE not found"}]
    missing_xml = xml(client.get(f"{BASE}/services/NOPE.xml"))
    assert missing_xml.tag == "errors" and missing_xml.find("error/code").text == "404"


def test_post_get_token_and_request(
    client: TestClient, city: dict, api_key: str, db: Session
) -> None:
    created = post(
        client,
        api_key=api_key,
        service_code="E0102",
        lat=str(POINT_A[1]),
        long=str(POINT_A[0]),
        description="小区门口垃圾堆积",
        first_name="小明",
        last_name="王",
        phone="13812345678",
        **{"attribute[volume]": "large"},
    )
    assert created.status_code == 200, created.text
    answer = created.json()[0]
    number = answer["service_request_id"]
    assert answer["token"] == number and number in answer["service_notice"]
    case = db.scalar(select(Case).where(Case.number == number))
    assert case is not None and case.channel == "open311" and case.attributes == {"volume": "large"}
    assert case.reporter_name_masked == "王**"
    token = client.get(f"{BASE}/tokens/{number}.json").json()
    assert token == [{"service_request_id": number, "token": number}]
    one = client.get(f"{BASE}/requests/{number}.json").json()[0]
    assert one["status"] == "open" and one["service_code"] == "E0102"
    assert one["requested_datetime"].endswith("Z") and one["lat"] == POINT_A[1]
    assert "13812345678" not in str(one)
    root = xml(client.get(f"{BASE}/requests/{number}.xml"))
    assert root.tag == "service_requests"
    assert root.find("request/service_request_id").text == number
    assert root.find("request/long").text == str(POINT_A[0])
    assert client.get(f"{BASE}/requests/NOPE.json").status_code == 404
    xml_post = post(
        client,
        "xml",
        api_key=api_key,
        service_code="C0106",
        address_string="胜利路 3 号",
        description="路灯不亮",
    )
    assert xml_post.status_code == 200
    assert xml(xml_post).find("request/service_request_id").text


def test_post_errors(client: TestClient, city: dict, api_key: str, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(Case))
    point = {"lat": str(POINT_A[1]), "long": str(POINT_A[0])}
    checks = [
        ({"service_code": "E0102", **point}, 403, "api_key"),
        ({"api_key": "wrong", "service_code": "E0102", **point}, 403, "api_key"),
        ({"api_key": api_key, **point}, 400, "service_code is required"),
        ({"api_key": api_key, "service_code": "X1", **point}, 400, "not a valid service"),
        ({"api_key": api_key, "service_code": "E0102"}, 400, "location"),
        (
            {
                "api_key": api_key,
                "service_code": "E0102",
                "lat": str(OUTSIDE[1]),
                "long": str(OUTSIDE[0]),
            },
            400,
            "outside",
        ),
        ({"api_key": api_key, "service_code": "E0102", "lat": "north", "long": "1"}, 400, "number"),
        (
            {"api_key": api_key, "service_code": "E0102", "description": "x" * 4001, **point},
            400,
            "4000",
        ),
        (
            {"api_key": api_key, "service_code": "E0102", "description": "<b>x</b>", **point},
            400,
            "HTML",
        ),
        (
            {"api_key": api_key, "service_code": "E0102", "attribute[volume]": "huge", **point},
            400,
            "volume",
        ),
    ]
    for form, status, text in checks:
        response = post(client, **form)
        assert response.status_code == status, (form, response.text)
        body = response.json()
        assert isinstance(body, list) and body[0]["code"] == status
        assert text in body[0]["description"], (form, body)
    xml_error = post(client, "xml", service_code="E0102", **point)
    assert xml_error.status_code == 403 and xml(xml_error).find("error/description").text
    assert db.scalar(select(func.count()).select_from(Case)) == before
    assert client.get(f"{BASE}/services.csv").status_code == 404


def test_get_requests_filters_and_defaults(
    client: TestClient, city: dict, api_key: str, db: Session
) -> None:
    point = {"lat": str(POINT_A[1]), "long": str(POINT_A[0])}
    first = post(client, api_key=api_key, service_code="E0102", description="一", **point).json()[0]
    second = post(client, api_key=api_key, service_code="E0503", description="二", **point).json()[
        0
    ]
    old = db.scalar(select(Case).where(Case.number == second["service_request_id"]))
    assert old is not None
    old.reported_at = utcnow() - timedelta(days=120)  # outside the default window
    db.commit()

    def ids(fmt: str = "json", **params: str) -> list[str]:
        response = client.get(f"{BASE}/requests.{fmt}", params=params)
        assert response.status_code == 200, response.text
        if fmt == "xml":
            return [e.text or "" for e in xml(response).findall("request/service_request_id")]
        return [r["service_request_id"] for r in response.json()]

    assert ids() == [first["service_request_id"]]  # default: the last 90 days
    assert ids("xml") == [first["service_request_id"]]
    both = f"{first['service_request_id']},{second['service_request_id']}"
    # With ids, the other filters (and the 90-day default) do not apply.
    assert set(ids(service_request_id=both, status="closed")) == {
        first["service_request_id"],
        second["service_request_id"],
    }
    assert ids(service_code="E0503") == []
    start = (utcnow() - timedelta(days=130)).isoformat()
    end = (utcnow() - timedelta(days=50)).isoformat()
    assert ids(start_date=start, end_date=end) == [second["service_request_id"]]
    assert ids(status="closed") == []
    assert ids(status="open") == [first["service_request_id"]]
    too_long = client.get(
        f"{BASE}/requests.json",
        params={"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
    )
    assert too_long.status_code == 400 and "90 days" in too_long.json()[0]["description"]
    bad_status = client.get(f"{BASE}/requests.xml", params={"status": "pending"})
    assert bad_status.status_code == 400 and xml(bad_status).tag == "errors"
    bad_date = client.get(f"{BASE}/requests.json", params={"start_date": "yesterday"})
    assert bad_date.status_code == 400


def test_personal_matters_and_staff_notes_are_not_published(
    client: TestClient, city: dict, api_key: str, db: Session
) -> None:
    from gridgov.authz.principal import Principal, Role
    from gridgov.cases import intake
    from gridgov.cases.schemas import CaseCreate

    clerk = Principal(user_id=1, username="clerk", role=Role.INTAKE_CLERK)
    dispute = intake.create_case(
        db,
        principal=clerk,
        channel="hotline",
        data=CaseCreate(
            category_code="E0701",
            description="张三与邻居李四因漏水争吵",
            lng=POINT_A[0],
            lat=POINT_A[1],
        ),
    ).case
    hotline = intake.create_case(
        db,
        principal=clerk,
        channel="hotline",
        data=CaseCreate(
            category_code="E0102",
            description="来电人王五（住3栋）反映垃圾",
            lng=POINT_A[0],
            lat=POINT_A[1],
        ),
    ).case
    db.commit()
    listed = client.get(f"{BASE}/requests.json").json()
    assert dispute.number not in {r["service_request_id"] for r in listed}
    assert client.get(f"{BASE}/requests/{dispute.number}.json").status_code == 404
    row = client.get(f"{BASE}/requests/{hotline.number}.json").json()[0]
    assert "王五" not in row["description"] and row["description"] == "暴露垃圾"
