"""Department sources and reconciliation (数据比对).: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/sources", tags=["sources"])
