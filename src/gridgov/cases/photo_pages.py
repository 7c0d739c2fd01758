"""Moves that report what was done, with photos, from the case page (issue 10: the handler's
feedback and the on-site verification took no photo on the pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_principal
from gridgov.authz.principal import Principal
from gridgov.cases import workflow
from gridgov.cases.schemas import TransitionIn
from gridgov.cases.states import Move
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.media import service as media_service

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
SignedIn = Annotated[Principal, Depends(page_principal)]
PHOTO_MOVES = {Move.FEEDBACK, Move.VERIFY}
MAX_PHOTOS = 9


@router.post("/cases/{case_id}/with-photos/{move}", dependencies=[Depends(csrf_protect)])
def move_with_photos(
    request: Request,
    case_id: Annotated[int, Path(ge=1)],
    move: Move,
    principal: SignedIn,
    session: DbSession,
    note: Annotated[str, Form(max_length=4000)] = "",
    result: Annotated[str, Form(max_length=8)] = "",
    version: Annotated[str, Form(max_length=12)] = "",
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006
) -> Response:
    """Store the photos (who may make the move is the workflow's rule), then make the move
    with them attached; a refusal goes to the one error page and nothing is kept."""
    if move not in PHOTO_MOVES:
        raise BadRequest("此环节不附照片", "This move takes no photos")
    settings = request.app.state.settings
    chosen = [p for p in photos if p.filename][:MAX_PHOTOS]
    stored = [
        media_service.store_photo(
            session,
            principal=principal,
            filename=upload.filename or "",
            content=upload.file.read(settings.max_photo_bytes + 1),
            channel="web",
            settings=settings,
        )
        for upload in chosen
    ]
    workflow.transition(
        session,
        principal=principal,
        case_id=case_id,
        move=move,
        body=TransitionIn(
            note=note or None,
            result=result if result in ("pass", "fail") else None,
            photo_ids=[m.id for m in stored],
        ),
        expected_version=int(version) if version.isdigit() else None,
    )
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
