"""Background work: the scheduled jobs and their run history (system administrator)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import SYSTEM_ADMINS
from gridgov.authz.principal import Principal
from gridgov.jobs import service
from gridgov.jobs.schemas import JobRead, JobRunRead
from gridgov.kit.db import request_session

router = APIRouter(prefix="/jobs", tags=["jobs"])

Admin = Annotated[Principal, Depends(require_roles(*SYSTEM_ADMINS))]
DbSession = Annotated[Session, Depends(request_session, scope="function")]


@router.get("", response_model=list[JobRead])
def list_jobs(principal: Admin, session: DbSession) -> list[JobRead]:
    """Every registered job: schedule, lease holder, the newest due time done, the newest run."""
    return [
        JobRead(
            name=item.spec.name,
            description=item.spec.description,
            description_en=item.spec.description_en,
            schedule=item.spec.schedule_text,
            lease_owner=item.lease.owner if item.lease else None,
            lease_until=item.lease.lease_until if item.lease else None,
            last_due_at=item.lease.last_due_at if item.lease else None,
            last_run=JobRunRead.model_validate(item.last_run) if item.last_run else None,
        )
        for item in service.overview(session)
    ]


@router.get("/runs", response_model=list[JobRunRead])
def list_runs(
    principal: Admin,
    session: DbSession,
    job: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[JobRunRead]:
    """The newest runs (started, finished, rows touched, error), newest first."""
    return [
        JobRunRead.model_validate(r) for r in service.recent_runs(session, job=job, limit=limit)
    ]
