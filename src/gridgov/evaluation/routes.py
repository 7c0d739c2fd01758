"""Objective evaluation from the trail (客观评价).: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/evaluation", tags=["evaluation"])
