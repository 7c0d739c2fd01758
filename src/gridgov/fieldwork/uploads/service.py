"""Resumable photo uploads for the field app, on top of ``gridgov.media.service.store_photo``.

The phone announces an upload (its own UUID, name, type, size), then sends chunks at offsets;
after a lost connection it asks for the offset the server has and continues from there. When
the last byte arrives, the photo is checked and stored by the media service and the upload
answers with the media id that the phone puts into its report or form.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.config import Settings
from gridgov.kit.clock import utcnow
from gridgov.kit.db import after_commit
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge
from gridgov.media.service import store_photo
from gridgov.models.field_submission import FieldUpload

ALLOWED_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_CHUNK = 1024 * 1024


class UploadNotFound(NotFound):
    code = "upload_not_found"


class OffsetMismatch(Conflict):
    code = "upload_offset"


def _field_staff(principal: Principal) -> None:
    if principal.role not in (Role.GRID_WORKER, Role.INSPECTOR):
        raise Forbidden("只有网格员可以上传现场照片", "Only field staff upload field photos")


def _part_path(settings: Settings, upload_id: str) -> Path:
    return Path(settings.media_dir) / "uploads" / f"{upload_id}.part"


def create(
    session: Session,
    *,
    principal: Principal,
    upload_id: str,
    filename: str,
    content_type: str,
    size: int,
    settings: Settings,
) -> FieldUpload:
    _field_staff(principal)
    if content_type not in ALLOWED_TYPES:
        raise BadRequest(
            "只接受 JPEG、PNG 或 WebP 图片", "Only JPEG, PNG or WebP images are accepted"
        )
    if size <= 0:
        raise BadRequest("照片为空", "The photo is empty")
    if size > settings.max_photo_bytes:
        raise PayloadTooLarge(
            f"照片超过 {settings.max_photo_bytes} 字节上限",
            f"The photo exceeds the limit of {settings.max_photo_bytes} bytes",
        )
    existing = session.get(FieldUpload, upload_id)
    if existing is not None:
        if existing.user_id != principal.user_id or existing.size != size:
            raise Conflict("上传编号已被使用", "Upload id already used")
        return existing
    upload = FieldUpload(
        id=upload_id,
        user_id=principal.user_id,
        filename=Path(filename).name[:200] or "photo",
        content_type=content_type,
        size=size,
        received=0,
    )
    session.add(upload)
    session.flush()
    return upload


def get(session: Session, *, principal: Principal, upload_id: str) -> FieldUpload:
    _field_staff(principal)
    upload = session.get(FieldUpload, upload_id)
    if upload is None or upload.user_id != principal.user_id:
        raise UploadNotFound("上传不存在", "No such upload")
    return upload


def append(
    session: Session,
    *,
    principal: Principal,
    upload_id: str,
    offset: int,
    chunk: bytes,
    settings: Settings,
) -> FieldUpload:
    """Write ``chunk`` at ``offset``; a chunk the server already has is acknowledged again."""
    upload = get(session, principal=principal, upload_id=upload_id)
    if len(chunk) > MAX_CHUNK:
        raise PayloadTooLarge("分片过大", f"Chunks are at most {MAX_CHUNK} bytes")
    if upload.media_id is not None or offset + len(chunk) <= upload.received:
        return upload
    if offset != upload.received:
        raise OffsetMismatch(
            f"应从第 {upload.received} 字节继续上传",
            f"Continue at byte {upload.received}",
            offset=upload.received,
        )
    if offset + len(chunk) > upload.size:
        raise BadRequest("数据超过声明的大小", "More bytes than the declared size")
    path = _part_path(settings, upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "r+b" if path.exists() else "wb") as handle:
        handle.seek(offset)
        handle.write(chunk)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())
    upload.received = offset + len(chunk)
    if upload.received == upload.size:
        media = store_photo(
            session,
            principal=principal,
            filename=upload.filename,
            content=path.read_bytes(),
            channel="grid_worker",
            settings=settings,
        )
        upload.media_id = media.id
        upload.completed_at = utcnow()
        after_commit(session, lambda: path.unlink(missing_ok=True))
    session.flush()
    return upload
