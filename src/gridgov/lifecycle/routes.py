"""Life events, rules, proxy services and admission (准入).: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/lifecycle", tags=["lifecycle"])
