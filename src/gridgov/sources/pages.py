"""Department sources and reconciliation (数据比对).: pages."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
