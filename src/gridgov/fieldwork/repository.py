"""Every query of the field app's own package (the offline bundle); the modules, sync, patrols
and uploads have theirs in their sub-packages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.models.facility import Facility
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.person import LivingStatus, Person
from gridgov.models.region import Region

MAX_ROWS = 2000


class BundleRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def grid(self, code: str) -> Region | None:
        return self.session.scalars(select(Region).where(Region.code == code)).first()

    def facilities(self, code: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(
                Facility.id,
                Facility.code,
                Facility.kind,
                Facility.name,
                Facility.lng,
                Facility.lat,
                Facility.status,
            )
            .where(Facility.grid_code == code)
            .order_by(Facility.code)
            .limit(MAX_ROWS)
        )
        return [dict(r._mapping) for r in rows]

    def houses(self, code: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(House.id, House.address, House.use, House.lng, House.lat, House.version)
            .where(House.grid_code == code)
            .order_by(House.address)
            .limit(MAX_ROWS)
        )
        return [dict(r._mapping) for r in rows]

    def households(self, code: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(
                Household.id,
                Household.household_no,
                Household.address,
                Household.house_id,
                Household.version,
            )
            .where(Household.grid_code == code)
            .order_by(Household.household_no)
            .limit(MAX_ROWS)
        )
        return [dict(r._mapping) for r in rows]

    def persons(self, code: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(
                Person.id,
                Person.name,
                Person.id_number_masked,
                Person.household_id,
                Person.version,
            )
            .where(Person.grid_code == code, Person.living_status == LivingStatus.ALIVE)
            .order_by(Person.name, Person.id)
            .limit(MAX_ROWS)
        )
        return [dict(r._mapping) for r in rows]
