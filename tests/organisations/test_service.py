from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.errors import Conflict
from gridgov.organisations import service
from gridgov.organisations.schemas import OrganisationCreate, OrganisationUpdate
from gridgov.people.identifiers import make_credit_code
from gridgov.people.stats import population_counts
from tests.people.conftest import GRID_A

CODE = make_credit_code("9", "2", "420502", "L0000001X")


def _org(**extra: object) -> OrganisationCreate:
    return OrganisationCreate.model_validate(
        {
            "credit_code": CODE,
            "name": "李记牛肉面馆",
            "org_type": "individual_business",
            "industry": "restaurant",
            "grid_code": GRID_A,
            "licences": [
                {"kind": "food_business", "number": "JY1420502", "valid_until": "2027-05-01"}
            ],
            **extra,
        }
    )


def test_create_close_and_history(db: Session, grids: list[str], worker: Principal) -> None:
    org = service.create_organisation(db, principal=worker, organisation_in=_org())
    assert org.licences[0]["valid_until"] == "2027-05-01"
    assert population_counts(db, region_codes=[GRID_A])[GRID_A].organisations == 1
    with pytest.raises(Conflict):
        service.create_organisation(db, principal=worker, organisation_in=_org(name="别的店"))
    service.update_organisation(
        db,
        principal=worker,
        organisation_id=org.id,
        changes=OrganisationUpdate(status="closed"),
        reason="歇业",
        base_version=1,
    )
    history = service.organisation_history(db, principal=worker, organisation_id=org.id)
    assert [v.data["status"] for v in history] == ["active", "closed"]
    assert population_counts(db, region_codes=[GRID_A])[GRID_A].organisations == 0


def test_credit_code_is_validated() -> None:
    with pytest.raises(ValidationError, match="校验码"):
        _org(credit_code=CODE[:-1] + ("0" if CODE[-1] != "0" else "1"))
    with pytest.raises(ValidationError, match="18位"):
        _org(credit_code="91350100M000100Y4")
