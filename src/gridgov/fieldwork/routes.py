"""All API routes of the field app, mounted under /api/v1: the offline bundle here, the
modules, sync, patrols and uploads from their sub-packages."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal
from gridgov.fieldwork.bundle import build
from gridgov.fieldwork.forms.routes import router as modules_router
from gridgov.fieldwork.patrols.routes import router as patrols_router
from gridgov.fieldwork.sync.routes import router as sync_router
from gridgov.fieldwork.uploads.routes import router as uploads_router
from gridgov.kit.db import request_session

router = APIRouter()
bundle_router = APIRouter(prefix="/field", tags=["field app"])
DB = Annotated[Session, Depends(request_session, scope="function")]


@bundle_router.get("/bundle")
def bundle(session: DB, principal: CurrentPrincipal) -> dict[str, Any]:
    """Everything the app keeps offline for the caller's own grid."""
    return build(session, principal=principal)


for _router in (bundle_router, modules_router, sync_router, patrols_router, uploads_router):
    router.include_router(_router)
