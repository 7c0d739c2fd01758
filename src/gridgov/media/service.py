"""Storing and reading photos. ``store_photo`` is the one way in (API, case intake, field app)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.config import Settings, get_settings
from gridgov.kit.errors import BadRequest, NotFound, PayloadTooLarge
from gridgov.media.repository import MediaRepository
from gridgov.models.media import Media

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_image_type(content: bytes) -> str | None:
    """The image type from the magic bytes (never from the file name or the declared type)."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def media_path(settings: Settings, sha256: str, content_type: str) -> Path:
    return Path(settings.media_dir) / sha256[:2] / f"{sha256}.{EXTENSIONS[content_type]}"


def store_photo(
    session: Session,
    *,
    principal: Principal,
    filename: str,
    content: bytes,
    channel: str | None = None,
    settings: Settings | None = None,
) -> Media:
    """Check, store (content-addressed, written before the row so nothing committed is missing)
    and register a photo. Raises ``BadRequest`` for a non-image and ``PayloadTooLarge``."""
    settings = settings or get_settings()
    if len(content) > settings.max_photo_bytes:
        raise PayloadTooLarge(
            f"照片超过 {settings.max_photo_bytes} 字节上限",
            f"The photo exceeds the limit of {settings.max_photo_bytes} bytes",
        )
    if not content:
        raise BadRequest("照片为空", "The photo is empty")
    content_type = sniff_image_type(content)
    if content_type is None:
        raise BadRequest(
            "只接受 JPEG、PNG 或 WebP 图片", "Only JPEG, PNG or WebP images are accepted"
        )
    sha256 = hashlib.sha256(content).hexdigest()
    path = media_path(settings, sha256, content_type)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    media = MediaRepository(session).add(
        Media(
            sha256=sha256,
            content_type=content_type,
            size=len(content),
            filename=Path(filename or "").name[:200],
            uploaded_by=principal.account_id,
            uploader_channel=channel or principal.channel,
        )
    )
    trail.record(
        session,
        action="media.upload",
        object_type="media",
        object_id=media.id,
        principal=principal,
        after={"sha256": sha256, "content_type": content_type, "size": len(content)},
    )
    return media


def get_readable(session: Session, *, principal: Principal, media_id: int) -> Media:
    media = MediaRepository(session).get_readable(principal, media_id)
    if media is None:
        raise NotFound("照片不存在或无权查看", "Photo not found or not visible to you")
    return media


def read_bytes(media: Media, *, settings: Settings | None = None) -> bytes:
    path = media_path(settings or get_settings(), media.sha256, media.content_type)
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFound("照片文件缺失", "The photo file is missing") from exc
