"""Calls into the population base (people) and the case loop (cases) for synced records.

Kept in one place so the contract with those domains is visible: a population update is a new
version with source ``grid_worker`` made on ``base_version`` (stale → ``Conflict``), a problem
report is a case from the channel ``grid_worker``.
"""

from __future__ import annotations

import importlib
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.sync.effects import Outcome
from gridgov.models.field_submission import FieldSubmission

CHANNEL = "grid_worker"
# The case loop's code of the grid worker app channel (cases/intake.py CHANNELS).
CASE_CHANNEL = "worker_app"


def _service(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def update_population(
    session: Session,
    *,
    principal: Principal,
    target: str,
    subject_id: str,
    base_version: int | None,
    changes: dict[str, Any],
    reason: str,
) -> Outcome:
    people = _service("gridgov.people.service")
    update = getattr(people, f"update_{target}", None) if people else None
    if update is None:
        # The population service is not installed: the record stays stored for a later apply.
        return Outcome("stored", reason="population service unavailable")
    record = update(
        session,
        principal=principal,
        record_id=int(subject_id),
        changes=changes,
        base_version=base_version,
        source="grid_worker",
        reason=reason[:200],
    )
    return Outcome("applied", ref=f"{target}:{record.id}@v{record.version}")


def create_case_from_report(
    session: Session, *, principal: Principal, submission: FieldSubmission
) -> Outcome:
    """A problem report becomes a case in state ``reported`` from the worker-app channel."""
    from gridgov.cases.intake import create_case
    from gridgov.cases.schemas import CaseCreate

    data = submission.data
    intake = create_case(
        session,
        principal=principal,
        data=CaseCreate(
            channel=CASE_CHANNEL,
            category_code=data["category"],
            description=data.get("description") or data["category"],
            lng=submission.lng,
            lat=submission.lat,
            address=data.get("address"),
            photo_ids=list(data.get("photos") or []),
        ),
        channel=CASE_CHANNEL,
        external_id=submission.uuid,
        now=submission.collected_at or None,
    )
    return Outcome("applied", ref=f"case:{intake.case.id}")
