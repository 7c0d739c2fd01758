"""Every query of the grid model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, func, select

from gridgov.kit.repository import Repository
from gridgov.models import Assignment, Facility, OverlayCoverage, Region, Staff
from gridgov.models.region import BASE_LAYER, RegionLevel


class RegionRepository(Repository[Region]):
    """Regions are the map every signed-in user works on; data scope applies to what lies inside
    them (people, facilities, cases), not to the boundaries themselves."""

    model = Region

    def readable_statement(self) -> Select[Region]:
        return select(Region)

    def list_statement(
        self, *, level: str | None, layer: str, parent_code: str | None
    ) -> Select[Region]:
        stmt = self.readable_statement().where(Region.layer == layer)
        if level is not None:
            stmt = stmt.where(Region.level == level)
        if parent_code is not None:
            # Base-layer codes nest: descendants share the parent's code as a prefix.
            stmt = stmt.where(Region.code > parent_code, Region.code < parent_code + ":")
        return stmt.order_by(Region.code)

    def get_by_code(self, code: str) -> Region | None:
        return self.session.scalar(self.readable_statement().where(Region.code == code))

    def get_many_by_code(self, codes: Sequence[str]) -> list[Region]:
        if not codes:
            return []
        return list(self.session.scalars(select(Region).where(Region.code.in_(list(codes)))))

    def all_grids(self) -> list[tuple[str, str]]:
        """(code, GeoJSON geometry) of every base-layer grid."""
        stmt = select(Region.code, Region.geometry).where(
            Region.layer == BASE_LAYER, Region.level == RegionLevel.GRID.value
        )
        return [(code, geometry) for code, geometry in self.session.execute(stmt)]

    def grid_revision(self) -> tuple[int, datetime | None]:
        """Changes whenever a grid is added or its geometry rewritten (for the locate cache)."""
        stmt = select(func.count(), func.max(Region.updated_at)).where(
            Region.layer == BASE_LAYER, Region.level == RegionLevel.GRID.value
        )
        count, latest = self.session.execute(stmt).one()
        return int(count), latest

    def ancestors(self, region: Region) -> list[Region]:
        if region.layer != BASE_LAYER:
            return []
        codes = [region.code[:n] for n in (6, 9, 12) if n < len(region.code)]
        return sorted(self.get_many_by_code(codes), key=lambda r: len(r.code))

    def overlays_covering(self, grid: Region) -> list[Region]:
        stmt = (
            select(Region)
            .join(OverlayCoverage, OverlayCoverage.overlay_id == Region.id)
            .where(OverlayCoverage.grid_id == grid.id)
            .order_by(Region.code)
        )
        return list(self.session.scalars(stmt))

    def grids_covered_by(self, overlay: Region) -> list[Region]:
        stmt = (
            select(Region)
            .join(OverlayCoverage, OverlayCoverage.grid_id == Region.id)
            .where(OverlayCoverage.overlay_id == overlay.id)
            .order_by(Region.code)
        )
        return list(self.session.scalars(stmt))

    def facility_counts(self, region: Region) -> dict[str, int]:
        stmt = select(Facility.kind, func.count()).group_by(Facility.kind)
        if region.layer == BASE_LAYER:
            stmt = stmt.where(
                Facility.grid_code >= region.code, Facility.grid_code < region.code + ":"
            )
        else:
            covered = select(OverlayCoverage.grid_id).where(OverlayCoverage.overlay_id == region.id)
            stmt = stmt.where(Facility.grid_id.in_(covered))
        return {kind: int(n) for kind, n in self.session.execute(stmt)}

    def grid_count(self, region: Region) -> int:
        if region.layer != BASE_LAYER:
            covered = select(func.count()).where(OverlayCoverage.overlay_id == region.id)
            return int(self.session.scalar(covered) or 0)
        stmt = select(func.count()).where(
            Region.layer == BASE_LAYER,
            Region.level == RegionLevel.GRID.value,
            Region.code >= region.code,
            Region.code < region.code + ":",
        )
        return int(self.session.scalar(stmt) or 0)


class AssignmentRepository(Repository[Assignment]):
    model = Assignment

    def current_staff(self, region: Region) -> tuple[Assignment, Staff] | None:
        stmt = (
            select(Assignment, Staff)
            .join(Staff, Staff.id == Assignment.staff_id)
            .where(Assignment.region_id == region.id, Assignment.ended_at.is_(None))
        )
        row = self.session.execute(stmt).first()
        return None if row is None else (row[0], row[1])

    def open_for_staff(self, staff: Staff) -> Assignment | None:
        stmt = select(Assignment).where(
            Assignment.staff_id == staff.id, Assignment.ended_at.is_(None)
        )
        return self.session.scalar(stmt)

    def history(self, region: Region) -> list[tuple[Assignment, Staff]]:
        stmt = (
            select(Assignment, Staff)
            .join(Staff, Staff.id == Assignment.staff_id)
            .where(Assignment.region_id == region.id)
            .order_by(Assignment.started_at.desc(), Assignment.id.desc())
        )
        return [(a, s) for a, s in self.session.execute(stmt)]

    def staff_by_no(self, staff_no: str) -> Staff | None:
        return self.session.scalar(select(Staff).where(Staff.staff_no == staff_no))
