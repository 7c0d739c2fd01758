from fastapi.testclient import TestClient

from gridgov.app import create_app
from gridgov.config import InsecureSettingsError, Mode, Settings


def test_production_refuses_default_secrets() -> None:
    try:
        create_app(Settings(mode=Mode.PRODUCTION))
    except InsecureSettingsError as exc:
        assert "GRIDGOV_SECRET_KEY" in str(exc)
    else:
        raise AssertionError("default secrets accepted in production")


def test_production_accepts_strong_secrets() -> None:
    create_app(Settings(mode=Mode.PRODUCTION, secret_key="s" * 40, data_key="d" * 40))


def test_oversized_body_is_rejected_with_413() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST, max_body_bytes=100)))
    response = client.post("/api/v1/anything", content=b"x" * 101)
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "payload_too_large"


def test_every_response_carries_a_request_id() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST)))
    response = client.get("/openapi.json", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
