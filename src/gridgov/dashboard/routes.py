"""Supervision dashboard and Excel ledgers.: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/dashboard", tags=["dashboard"])
