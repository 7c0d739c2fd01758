"""Objective evaluation from the trail (客观评价).: pages."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
