"""Calls into the population base (people) and the case loop (cases) for synced records.

Kept in one place so the contract with those domains is visible: a population update is a new
version with source ``grid_worker`` made on ``base_version`` (stale → ``Conflict``), a problem
report is a case from the channel ``grid_worker``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases.intake import create_case
from gridgov.cases.schemas import CaseCreate
from gridgov.fieldwork.sync.schemas import Outcome
from gridgov.housing import schemas as housing_schemas
from gridgov.housing import service as housing_service
from gridgov.kit.errors import BadRequest
from gridgov.models.field_submission import FieldSubmission
from gridgov.organisations import schemas as organisations_schemas
from gridgov.organisations import service as organisations_service
from gridgov.people import schemas as people_schemas
from gridgov.people import service as people_service

CHANNEL = "grid_worker"
# The case loop's code of the grid worker app channel (cases/intake.py CHANNELS).
CASE_CHANNEL = "worker_app"


# target → (the service's update function, its id argument, the change schema)
POPULATION_API: dict[str, tuple[Callable[..., Any], str, type[BaseModel]]] = {
    "person": (people_service.update_person, "person_id", people_schemas.PersonUpdate),
    "household": (
        people_service.update_household,
        "household_id",
        people_schemas.HouseholdUpdate,
    ),
    "house": (housing_service.update_house, "house_id", housing_schemas.HouseUpdate),
    "organisation": (
        organisations_service.update_organisation,
        "organisation_id",
        organisations_schemas.OrganisationUpdate,
    ),
}


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
    """A new version of the subject with source ``grid_worker`` (stale base → ``Conflict``)."""
    update, id_argument, schema = POPULATION_API[target]
    known = {k: v for k, v in changes.items() if k in schema.model_fields}
    try:
        record_id, parsed = int(subject_id), schema(**known)
    except (ValueError, ValidationError) as exc:
        raise BadRequest("数据不能写入人口库", f"Not applicable to the {target}: {exc}") from exc
    record = update(
        session,
        principal=principal,
        **{id_argument: record_id},
        changes=parsed,
        source=CHANNEL,
        reason=reason[:200],
        base_version=base_version,
    )
    return Outcome("applied", ref=f"{target}:{record.id}@v{record.version}")


def create_case_from_report(
    session: Session, *, principal: Principal, submission: FieldSubmission
) -> Outcome:
    """A problem report becomes a case in state ``reported`` from the worker-app channel."""
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
