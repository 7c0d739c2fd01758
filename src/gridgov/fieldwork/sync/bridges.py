"""Calls into the population base (people) and the case loop (cases) for synced records.

Kept in one place so the contract with those domains is visible: a population update is a new
version with source ``grid_worker`` made on ``base_version`` (stale → ``Conflict``), a problem
report is a case from the channel ``grid_worker``.
"""

from __future__ import annotations

import importlib
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.fieldwork.sync.effects import Outcome
from gridgov.kit.errors import BadRequest
from gridgov.models.field_submission import FieldSubmission

CHANNEL = "grid_worker"
# The case loop's code of the grid worker app channel (cases/intake.py CHANNELS).
CASE_CHANNEL = "worker_app"


def _service(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


# target → (service module, function, its id argument, schema module, change schema)
POPULATION_API = {
    "person": (
        "gridgov.people.service",
        "update_person",
        "person_id",
        "gridgov.people.schemas",
        "PersonUpdate",
    ),
    "household": (
        "gridgov.people.service",
        "update_household",
        "household_id",
        "gridgov.people.schemas",
        "HouseholdUpdate",
    ),
    "house": (
        "gridgov.housing.service",
        "update_house",
        "house_id",
        "gridgov.housing.schemas",
        "HouseUpdate",
    ),
    "organisation": (
        "gridgov.organisations.service",
        "update_organisation",
        "organisation_id",
        "gridgov.organisations.schemas",
        "OrganisationUpdate",
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
    service_name, function_name, id_argument, schemas_name, schema_name = POPULATION_API[target]
    services, schemas = _service(service_name), _service(schemas_name)
    update = getattr(services, function_name, None) if services else None
    schema = getattr(schemas, schema_name, None) if schemas else None
    if update is None or schema is None:
        # Not supported by the population base yet: the record stays stored, to apply later.
        return Outcome("stored", reason=f"population update of a {target} unavailable")
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
