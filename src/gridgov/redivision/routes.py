"""Grid re-division proposals and hand-over.: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/redivision", tags=["redivision"])
