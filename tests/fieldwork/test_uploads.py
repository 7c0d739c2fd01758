"""Resumable photo upload: chunks at offsets, resume after a lost connection, limits."""

from __future__ import annotations

import os

from fastapi.testclient import TestClient

from tests.fieldwork.conftest import new_uuid

BASE = "/api/v1/field/uploads"


def jpeg(size: int = 64) -> bytes:
    """Bytes that the media service recognises as a JPEG (it checks the magic bytes)."""
    return b"\xff\xd8\xff\xe0" + os.urandom(size * size)


def test_chunked_upload_with_resume(client: TestClient, worker_headers: dict) -> None:
    content = jpeg(200)
    upload_id = new_uuid()
    body = {
        "id": upload_id,
        "filename": "p.jpg",
        "content_type": "image/jpeg",
        "size": len(content),
    }
    assert client.post(BASE, json=body, headers=worker_headers).status_code == 201
    chunk = len(content) // 3 + 1
    put = {**worker_headers, "Content-Type": "application/octet-stream"}
    r = client.put(
        f"{BASE}/{upload_id}", params={"offset": 0}, content=content[:chunk], headers=put
    )
    assert r.json()["received"] == chunk
    # The answer was lost; the phone re-sends the same chunk: acknowledged, nothing appended.
    r = client.put(
        f"{BASE}/{upload_id}", params={"offset": 0}, content=content[:chunk], headers=put
    )
    assert r.json()["received"] == chunk
    # A chunk at the wrong offset is refused with the offset to continue from.
    r = client.put(
        f"{BASE}/{upload_id}",
        params={"offset": chunk * 2},
        content=content[chunk * 2 :],
        headers=put,
    )
    assert r.status_code == 409 and r.json()["offset"] == chunk
    status = client.get(f"{BASE}/{upload_id}", headers=worker_headers).json()
    r = client.put(
        f"{BASE}/{upload_id}",
        params={"offset": status["received"]},
        content=content[status["received"] :],
        headers=put,
    )
    assert r.status_code == 200
    assert r.json()["received"] == len(content) and r.json()["media_id"] is not None


def test_limits(client: TestClient, worker_headers: dict) -> None:
    too_big = {
        "id": new_uuid(),
        "filename": "p.jpg",
        "content_type": "image/jpeg",
        "size": 50 * 1024 * 1024,
    }
    assert client.post(BASE, json=too_big, headers=worker_headers).status_code == 413
    wrong_type = {"id": new_uuid(), "filename": "p.gif", "content_type": "image/gif", "size": 10}
    assert client.post(BASE, json=wrong_type, headers=worker_headers).status_code == 400
    # Declared a JPEG but sent something else: refused when complete.
    upload_id = new_uuid()
    client.post(
        BASE,
        json={"id": upload_id, "filename": "x.jpg", "content_type": "image/jpeg", "size": 8},
        headers=worker_headers,
    )
    r = client.put(
        f"{BASE}/{upload_id}",
        params={"offset": 0},
        content=b"GIF89a..",
        headers={**worker_headers, "Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 400
