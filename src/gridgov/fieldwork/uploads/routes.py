"""Resumable photo uploads (chunks at offsets; ask for the offset to resume)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Request
from sqlalchemy.orm import Session

from gridgov.auth.deps import AppSettings, CurrentPrincipal
from gridgov.fieldwork.uploads import service
from gridgov.fieldwork.uploads.schemas import UploadCreate, UploadRead
from gridgov.kit.db import request_session

router = APIRouter(prefix="/field/uploads", tags=["field uploads"])
DB = Annotated[Session, Depends(request_session, scope="function")]


@router.post("", status_code=201)
def create(
    body: UploadCreate, session: DB, principal: CurrentPrincipal, settings: AppSettings
) -> UploadRead:
    upload = service.create(
        session,
        principal=principal,
        upload_id=body.id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
        settings=settings,
    )
    return UploadRead.model_validate(upload)


@router.get("/{upload_id}")
def status(upload_id: str, session: DB, principal: CurrentPrincipal) -> UploadRead:
    return UploadRead.model_validate(service.get(session, principal=principal, upload_id=upload_id))


@router.put("/{upload_id}")
def put_chunk(
    upload_id: str,
    offset: int,
    request: Request,
    session: DB,
    principal: CurrentPrincipal,
    settings: AppSettings,
    chunk: Annotated[bytes, Body(media_type="application/octet-stream")],
) -> UploadRead:
    """Append ``chunk`` at ``offset`` (409 with the server's offset when they differ)."""
    upload = service.append(
        session,
        principal=principal,
        upload_id=upload_id,
        offset=offset,
        chunk=chunk,
        settings=settings,
    )
    return UploadRead.model_validate(upload)
