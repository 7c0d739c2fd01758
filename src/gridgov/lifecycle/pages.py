"""Life events, rules, proxy services and admission (准入).: pages."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
