"""Background work: after-commit jobs and the scheduler.: API."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/jobs", tags=["jobs"])
