"""Grid re-division: proposals for a community, the grids they changed, and where each moved
record belonged before (so past periods still resolve to the grid of their time)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridgov.kit.models import Base, TimestampMixin


class ProposalState(StrEnum):
    DRAFT = "draft"  # computed (possibly edited by hand), waiting for district staff
    # Approved for a future date: the scheduler applies it then (``redivision.apply_due``).
    SCHEDULED = "scheduled"
    APPROVED = "approved"  # applied
    REJECTED = "rejected"
    # Scheduled, but buildings or grids of the community changed before the date: recompute.
    LAPSED = "lapsed"


class GridChangeKind(StrEnum):
    ADDED = "added"  # a new grid (new code)
    SPLIT = "split"  # kept its code and gave households to a new grid
    MERGED = "merged"  # kept its code and took in a retired grid
    ADJUSTED = "adjusted"  # kept its code, buildings moved in or out
    RETIRED = "retired"  # the code ends here; its history stays


class RedivisionProposal(TimestampMixin, Base):
    __tablename__ = "redivision_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_code: Mapped[str] = mapped_column(String(12), index=True)
    state: Mapped[str] = mapped_column(String(16), default=ProposalState.DRAFT, index=True)
    # Hash of what the proposal was computed from (buildings, their households, grid codes and
    # geometries); approval recomputes it and refuses a stale proposal.
    fingerprint: Mapped[str] = mapped_column(String(64))
    # The units (buildings), their current grid, households and cell geometry; the proposed
    # grids (slots) and which slot each unit goes to: see redivision.schemas.Plan.
    plan: Mapped[dict] = mapped_column(JSON)
    households_moved: Mapped[int] = mapped_column(Integer, default=0)
    # Solver outcome: "optimal" / "feasible" (time limit reached with a valid division) / "edited".
    solver_status: Mapped[str] = mapped_column(String(16))
    solve_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(String(200))
    effective_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Of a scheduled proposal: the buildings, their grids and the grid boundaries it was approved
    # on (households may come and go until the date; a new or demolished building lapses it).
    structure_fingerprint: Mapped[str | None] = mapped_column(String(64))


class GridChange(Base):
    """One grid touched by an applied proposal, with its boundary before the change."""

    __tablename__ = "redivision_grid_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("redivision_proposals.id", ondelete="RESTRICT"), index=True
    )
    grid_code: Mapped[str] = mapped_column(String(15), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # GeoJSON of the grid until ``effective_at`` (None for an added grid).
    geometry_before: Mapped[str | None] = mapped_column(Text)
    households_before: Mapped[int] = mapped_column(Integer, default=0)
    households_after: Mapped[int] = mapped_column(Integer, default=0)
    # Codes of the grids whose buildings this grid received or to which it gave buildings.
    related_codes: Mapped[list] = mapped_column(JSON, default=list)


class RecordGridMove(Base):
    """A record (house, household, person, organisation, facility, case, task, patrol) that an
    applied proposal moved from one grid to another at ``effective_at``."""

    __tablename__ = "redivision_record_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("redivision_proposals.id", ondelete="RESTRICT"), index=True
    )
    record_type: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    from_grid: Mapped[str] = mapped_column(String(15))
    to_grid: Mapped[str] = mapped_column(String(15))
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_redivision_record_moves_record", "record_type", "record_id", "effective_at"),
    )


class GridDrift(Base):
    """One grid's loads as the scheduler's daily ``redivision.drift`` check found them: the
    drift page shows when the last check ran and how each grid has moved since, and the rows of
    the days before are the grid's drift history."""

    __tablename__ = "redivision_grid_drift"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(15), primary_key=True)
    households: Mapped[int] = mapped_column(Integer)
    persons: Mapped[int] = mapped_column(Integer)
    organisations: Mapped[int] = mapped_column(Integer)
    facilities: Mapped[int] = mapped_column(Integer)
    area_km2: Mapped[float] = mapped_column(Float)
    patrol_km_per_day: Mapped[float] = mapped_column(Float)
    cases_per_month: Mapped[int] = mapped_column(Integer)
    open_cases: Mapped[int] = mapped_column(Integer)
    deviation: Mapped[float] = mapped_column(Float)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_redivision_grid_drift_grid", "grid_code", "day"),)
