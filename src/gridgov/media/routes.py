"""``/api/v1/media``: upload a photo, read one within scope."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import current_principal
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest, NotFound, PayloadTooLarge
from gridgov.media import service
from gridgov.media.schemas import MediaRead

router = APIRouter(prefix="/media", tags=["media"])


def service_limit(request: Request) -> int:
    return int(request.app.state.settings.max_photo_bytes)


def to_read(media: object) -> MediaRead:
    read = MediaRead.model_validate(media)
    read.url = f"/api/v1/media/{read.id}"
    return read


@router.post(
    "",
    response_model=MediaRead,
    status_code=201,
    responses={400: {"description": BadRequest.code}, 413: {"description": PayloadTooLarge.code}},
)
def upload(
    request: Request,
    file: UploadFile,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> MediaRead:
    content = file.file.read(service_limit(request) + 1)
    media = service.store_photo(
        session,
        principal=principal,
        filename=file.filename or "",
        content=content,
        settings=request.app.state.settings,
    )
    return to_read(media)


@router.get("/{media_id}", responses={404: {"description": NotFound.code}})
def download(
    request: Request,
    media_id: int,
    principal: Principal = Depends(current_principal),
    session: Session = Depends(request_session, scope="function"),
) -> Response:
    media = service.get_readable(session, principal=principal, media_id=media_id)
    content = service.read_bytes(media, settings=request.app.state.settings)
    return Response(
        content,
        media_type=media.content_type,
        headers={"Cache-Control": "private, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )
