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


def test_production_accepts_strong_secrets(fresh_database_url) -> None:  # type: ignore[no-untyped-def]
    # A database at the migrations' head: production refuses any other (kit/migrations.py).
    url = fresh_database_url()
    create_app(
        Settings(mode=Mode.PRODUCTION, database_url=url, secret_key="s" * 40, data_key="d" * 40)
    )


def test_oversized_body_is_rejected_with_413() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST, max_body_bytes=100)))
    response = client.post("/api/v1/anything", content=b"x" * 101)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_every_response_carries_a_request_id() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST)))
    response = client.get("/openapi.json", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"


def test_nul_characters_are_refused_with_400_before_any_endpoint() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST)))
    for response in (
        client.get("/api/v1/persons?q=%00"),
        client.get("/api/v1/regions/42%0005"),
        client.post("/api/v1/auth/token", json={"username": "a\x00b", "password": "x"}),
        client.post("/login", data={"username": "a\x00b", "password": "x"}),
    ):
        assert response.status_code == 400, response.text
        assert response.json()["message_en"] == "The input contains a NUL character"


def test_binary_uploads_may_contain_nul_bytes() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST)))
    response = client.post(
        "/api/v1/media", files={"file": ("a.png", b"\x89PNG\x00\x00", "image/png")}
    )
    assert response.status_code == 401  # reached the endpoint's sign-in check, not the guard


def test_huge_offsets_are_a_validation_error_not_a_crash() -> None:
    client = TestClient(create_app(Settings(mode=Mode.TEST)))
    response = client.get("/api/v1/regions?offset=99999999999999999999")
    assert response.status_code in (401, 422)
