"""All API routes of the field app, mounted under /api/v1."""

from __future__ import annotations

from fastapi import APIRouter

from gridgov.fieldwork.bundle import router as bundle_router
from gridgov.fieldwork.forms.routes import router as modules_router
from gridgov.fieldwork.patrols.routes import router as patrols_router
from gridgov.fieldwork.sync.routes import router as sync_router
from gridgov.fieldwork.uploads.routes import router as uploads_router

router = APIRouter()
for _router in (bundle_router, modules_router, sync_router, patrols_router, uploads_router):
    router.include_router(_router)
