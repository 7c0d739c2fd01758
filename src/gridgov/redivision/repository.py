"""Every query of grid re-division. Each starts from the caller's scope: a community, grid or
proposal outside it is simply not found."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, insert, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.cases.states import FINAL_STATES
from gridgov.models.case import Case
from gridgov.models.facility import Facility
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.patrol import Patrol
from gridgov.models.person import LivingStatus, Person
from gridgov.models.population_stats import GridPopulationStats
from gridgov.models.redivision import (
    GridDrift,
    ProposalState,
    RecordGridMove,
    RedivisionProposal,
)
from gridgov.models.region import BASE_LAYER, Region, RegionLevel
from gridgov.models.staff import Assignment, Staff
from gridgov.redivision.units import HouseRow


def under(
    column: InstrumentedAttribute[str] | ColumnElement[str], prefix: str
) -> ColumnElement[bool]:
    """``column`` is ``prefix`` or a code below it (half-open range, index friendly)."""
    return and_(column >= prefix, column < prefix + ":")


class RedivisionRepository:
    def __init__(self, session: Session, principal: Principal) -> None:
        self.session = session
        self.principal = principal

    def _scoped(
        self, column: InstrumentedAttribute[str] | ColumnElement[str]
    ) -> ColumnElement[bool]:
        return scope_clause(self.principal, grid_code=column)

    # --- regions ---------------------------------------------------------------------------

    def region(self, code: str, level: RegionLevel) -> Region | None:
        stmt = select(Region).where(
            Region.code == code,
            Region.level == level.value,
            Region.layer == BASE_LAYER,
            self._scoped(Region.code),
        )
        return self.session.scalar(stmt)

    def grids(self, prefix: str) -> list[Region]:
        """Current (base-layer) grids under a region code, in code order."""
        stmt = (
            select(Region)
            .where(
                Region.layer == BASE_LAYER,
                Region.level == RegionLevel.GRID.value,
                under(Region.code, prefix),
                self._scoped(Region.code),
            )
            .order_by(Region.code)
        )
        return list(self.session.scalars(stmt))

    def communities(self, prefix: str) -> list[Region]:
        stmt = (
            select(Region)
            .where(
                Region.layer == BASE_LAYER,
                Region.level == RegionLevel.COMMUNITY.value,
                under(Region.code, prefix),
                self._scoped(Region.code),
            )
            .order_by(Region.code)
        )
        return list(self.session.scalars(stmt))

    def highest_grid_sequence(self, community_code: str) -> int:
        """The highest grid number ever given in the community, retired grids included, so a
        code is never given twice."""
        stmt = select(func.max(Region.code)).where(
            under(Region.code, community_code), func.length(Region.code) == 15
        )
        code = self.session.scalar(stmt)
        return int(code[12:]) if code else 0

    # --- what the division is computed from --------------------------------------------------

    def houses(self, prefix: str) -> list[HouseRow]:
        stmt = select(
            House.id, House.grid_code, House.address, House.building, House.lng, House.lat
        ).where(under(House.grid_code, prefix), self._scoped(House.grid_code))
        return [HouseRow(*row) for row in self.session.execute(stmt)]

    def per_house(
        self, model: Any, prefix: str, *conditions: ColumnElement[bool]
    ) -> dict[int, int]:
        stmt = (
            select(model.house_id, func.count())
            .where(under(model.grid_code, prefix), self._scoped(model.grid_code), *conditions)
            .group_by(model.house_id)
        )
        return {int(h): int(n) for h, n in self.session.execute(stmt) if h is not None}

    def households_per_house(self, prefix: str) -> dict[int, int]:
        return self.per_house(Household, prefix, Household.status == "active")

    def persons_per_house(self, prefix: str) -> dict[int, int]:
        return self.per_house(Person, prefix, Person.living_status == LivingStatus.ALIVE.value)

    def organisations_per_house(self, prefix: str) -> dict[int, int]:
        return self.per_house(Organisation, prefix)

    # --- loads per grid (drift) --------------------------------------------------------------

    def count_by_grid(
        self, column: InstrumentedAttribute[str], prefix: str, *conditions: ColumnElement[bool]
    ) -> dict[str, int]:
        stmt = (
            select(column, func.count())
            .where(under(column, prefix), self._scoped(column), *conditions)
            .group_by(column)
        )
        return {str(code): int(n) for code, n in self.session.execute(stmt)}

    def patrol_metres_by_grid(self, prefix: str, since: datetime) -> dict[str, float]:
        stmt = (
            select(Patrol.grid_code, func.sum(Patrol.distance_m))
            .where(
                under(Patrol.grid_code, prefix),
                self._scoped(Patrol.grid_code),
                Patrol.started_at >= since,
            )
            .group_by(Patrol.grid_code)
        )
        return {str(code): float(m or 0) for code, m in self.session.execute(stmt)}

    def load_counts(self, prefix: str, since: datetime) -> dict[str, dict[str, int]]:
        """Households, residents and organisations come from the per-grid statistics (kept by
        every write path and refreshed nightly by the scheduler's ``stats.refresh``); facilities
        and cases are counted here."""
        stats = select(
            GridPopulationStats.grid_code,
            GridPopulationStats.households,
            GridPopulationStats.persons,
            GridPopulationStats.organisations,
        ).where(
            under(GridPopulationStats.grid_code, prefix),
            self._scoped(GridPopulationStats.grid_code),
        )
        counts: dict[str, dict[str, int]] = {"households": {}, "persons": {}, "organisations": {}}
        for code, households, persons, organisations in self.session.execute(stats):
            counts["households"][code] = int(households)
            counts["persons"][code] = int(persons)
            counts["organisations"][code] = int(organisations)
        return {
            **counts,
            "facilities": self.count_by_grid(Facility.grid_code, prefix),
            "cases": self.count_by_grid(Case.grid_code, prefix, Case.created_at >= since),  # type: ignore[arg-type]
            "open_cases": self.count_by_grid(
                Case.grid_code,  # type: ignore[arg-type]
                prefix,
                Case.state.not_in(sorted(str(s) for s in FINAL_STATES)),
            ),
        }

    # --- the scheduler's daily drift check --------------------------------------------------

    def latest_check(self, prefix: str) -> list[GridDrift]:
        """The grids under ``prefix`` as the newest daily check found them."""
        scoped = and_(under(GridDrift.grid_code, prefix), self._scoped(GridDrift.grid_code))
        day = self.session.scalar(select(func.max(GridDrift.day)).where(scoped))
        if day is None:
            return []
        return list(self.session.scalars(select(GridDrift).where(scoped, GridDrift.day == day)))

    def drift_history(self, grid_code: str) -> list[GridDrift]:
        stmt = (
            select(GridDrift)
            .where(GridDrift.grid_code == grid_code, self._scoped(GridDrift.grid_code))
            .order_by(GridDrift.day)
        )
        return list(self.session.scalars(stmt))

    def store_check(self, prefix: str, day: Any, rows: list[dict[str, Any]]) -> None:
        """Today's check of the grids under ``prefix`` (a second run the same day replaces it)."""
        self.session.execute(
            delete(GridDrift).where(GridDrift.day == day, under(GridDrift.grid_code, prefix))
        )
        if rows:
            self.session.execute(insert(GridDrift), rows)

    # --- workers -----------------------------------------------------------------------------

    def workers(self, region_ids: Sequence[int]) -> dict[int, Staff]:
        if not region_ids:
            return {}
        stmt = (
            select(Assignment.region_id, Staff)
            .join(Staff, Staff.id == Assignment.staff_id)
            .where(Assignment.region_id.in_(list(region_ids)), Assignment.ended_at.is_(None))
        )
        return {int(region_id): staff for region_id, staff in self.session.execute(stmt)}

    # --- proposals ---------------------------------------------------------------------------

    def proposals_statement(self) -> Select[RedivisionProposal]:
        return select(RedivisionProposal).where(self._scoped(RedivisionProposal.community_code))

    def proposal(self, proposal_id: int, *, for_update: bool = False) -> RedivisionProposal | None:
        stmt = self.proposals_statement().where(RedivisionProposal.id == proposal_id)
        if for_update:
            stmt = stmt.with_for_update()
        return self.session.scalar(stmt)

    def due_proposals(self, now: datetime) -> list[RedivisionProposal]:
        """Scheduled proposals whose effective moment has come, oldest first, locked."""
        stmt = (
            self.proposals_statement()
            .where(
                RedivisionProposal.state == ProposalState.SCHEDULED,
                RedivisionProposal.effective_at <= now,
            )
            .order_by(RedivisionProposal.effective_at, RedivisionProposal.id)
            .with_for_update()
        )
        return list(self.session.scalars(stmt))

    def proposals(self, prefix: str, limit: int = 50) -> list[RedivisionProposal]:
        stmt = (
            self.proposals_statement()
            .where(under(RedivisionProposal.community_code, prefix))
            .order_by(RedivisionProposal.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(stmt))

    def moves_after(self, record_type: str, record_id: int, when: datetime) -> list[RecordGridMove]:
        stmt = (
            select(RecordGridMove)
            .where(
                RecordGridMove.record_type == record_type,
                RecordGridMove.record_id == record_id,
                RecordGridMove.effective_at > when,
            )
            .order_by(RecordGridMove.effective_at, RecordGridMove.id)
        )
        return list(self.session.scalars(stmt))
