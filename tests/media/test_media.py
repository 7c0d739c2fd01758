from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role, resident_principal
from gridgov.config import Settings
from gridgov.media import service
from gridgov.models.media import Media
from tests.cases.helpers import GRID_B, JPEG, PNG, WEBP, Users, report


def upload(
    client: TestClient, headers: dict, content: bytes, name: str = "p.jpg", expect: int = 201
) -> dict:
    response = client.post(
        "/api/v1/media", files={"file": (name, content, "image/jpeg")}, headers=headers
    )
    assert response.status_code == expect, response.text
    return dict(response.json())


def test_each_image_type_is_recognised_by_magic_bytes(client: TestClient, users: Users) -> None:
    headers = users(Role.GRID_WORKER)
    for content, kind in ((JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp")):
        body = upload(client, headers, content, name="x.bin")
        assert body["content_type"] == kind
        got = client.get(body["url"], headers=headers)
        assert got.status_code == 200
        assert got.content == content
        assert got.headers["content-type"] == kind


def test_a_text_file_named_jpg_is_rejected(client: TestClient, users: Users, db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(Media))
    body = upload(client, users(Role.GRID_WORKER), b"<html>not an image</html>", expect=400)
    assert "JPEG" in body["message_en"]
    assert db.scalar(select(func.count()).select_from(Media)) == before


def test_too_large_photo_gets_413(client: TestClient, users: Users, settings: Settings) -> None:
    big = JPEG + b"\x00" * settings.max_photo_bytes
    upload(client, users(Role.GRID_WORKER), big, expect=413)


def test_empty_file_is_rejected(client: TestClient, users: Users) -> None:
    upload(client, users(Role.GRID_WORKER), b"", expect=400)


def test_same_content_is_stored_once_on_disk(db: Session, settings: Settings) -> None:
    first = service.store_photo(
        db, principal=resident_principal("web"), filename="a.png", content=PNG, settings=settings
    )
    second = service.store_photo(
        db, principal=resident_principal("web"), filename="b.png", content=PNG, settings=settings
    )
    assert first.id != second.id and first.sha256 == second.sha256
    assert len(list(settings.media_dir.rglob("*.png"))) == 1


def test_photo_visible_to_uploader_and_case_readers_only(
    client: TestClient, users: Users, city: dict
) -> None:
    worker = users(Role.GRID_WORKER)
    other_worker = users(Role.GRID_WORKER, region_code=GRID_B)
    media = upload(client, worker, JPEG)
    assert client.get(media["url"], headers=other_worker).status_code == 404
    case = report(client, worker, channel="worker_app", photo_ids=[media["id"]])
    assert client.get(f"/api/v1/cases/{case['id']}", headers=worker).json()["photo_ids"] == [
        media["id"]
    ]
    # The clerk (city-wide) reads it; a department only once the case is dispatched to it.
    assert client.get(media["url"], headers=users(Role.INTAKE_CLERK)).status_code == 200
    assert client.get(media["url"], headers=users(Role.DEPARTMENT_HANDLER)).status_code == 404
    assert client.get(media["url"], headers=other_worker).status_code == 404


def test_a_photo_cannot_be_attached_twice_or_by_someone_else(
    client: TestClient, users: Users, city: dict
) -> None:
    worker = users(Role.GRID_WORKER)
    media = upload(client, worker, JPEG)
    report(client, worker, channel="worker_app", photo_ids=[media["id"]])
    again = report(client, worker, channel="worker_app", photo_ids=[media["id"]], expect=400)
    assert again["field"] == "photo_ids"
    clerk_try = report(client, users(Role.INTAKE_CLERK), photo_ids=[media["id"]], expect=400)
    assert clerk_try["code"] == "bad_request"


def test_upload_requires_sign_in(client: TestClient) -> None:
    response = client.post("/api/v1/media", files={"file": ("p.jpg", JPEG, "image/jpeg")})
    assert response.status_code == 401
