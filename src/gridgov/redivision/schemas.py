"""What the re-division API returns and accepts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class GridLoad(BaseModel):
    code: str
    name: str
    households: int
    persons: int
    organisations: int
    facilities: int
    area_km2: float
    patrol_km_per_day: float
    cases_per_month: int
    open_cases: int
    # Share outside the household range: −0.6 = 60 % below the minimum, 0.5 = 50 % above the
    # maximum, 0 = within range.
    deviation: float
    worker: str | None
    # Households at the scheduler's last daily check (None before the first check).
    households_at_check: int | None = None


class CommunityDrift(BaseModel):
    code: str
    name: str
    grids: int
    out_of_range: int
    households: int
    open_proposal_id: int | None


class DriftCheck(BaseModel):
    """The scheduler's last daily check (job ``redivision.drift``) of the region."""

    day: date
    checked_at: datetime
    out_of_range: int


class DriftRead(BaseModel):
    region_code: str
    lower: int
    upper: int
    communities: list[CommunityDrift]
    grids: list[GridLoad]
    last_check: DriftCheck | None = None


class DriftDay(BaseModel):
    """One grid's loads on one day of the scheduler's checks (its drift history)."""

    day: date
    households: int
    persons: int
    organisations: int
    facilities: int
    patrol_km_per_day: float
    cases_per_month: int
    deviation: float


class ProposeIn(BaseModel):
    community_code: str = Field(pattern=r"^[0-9]{12}$")
    time_limit: float = Field(default=5.0, ge=1.0, le=60.0)


class MoveUnitIn(BaseModel):
    unit: int = Field(ge=0)
    slot: int = Field(ge=0)


class DecisionIn(BaseModel):
    note: str | None = Field(default=None, max_length=200)


class ApproveIn(DecisionIn):
    # A later moment schedules the change (new grids from that day); none or a past one: now.
    effective_at: datetime | None = None


class RuleRead(BaseModel):
    rule: str
    message: str
    message_en: str


class SlotRead(BaseModel):
    slot: int
    code: str | None  # None: a new grid, numbered on approval
    change: str | None  # added / split / merged / adjusted / retired; None = unchanged
    households: int
    persons: int
    organisations: int
    buildings: int
    households_in: int  # households that come from other grids
    from_codes: list[str]
    worker: str | None
    worker_staff_no: str | None


class UnitRead(BaseModel):
    index: int
    key: str
    grid_code: str
    households: int
    slot: int


class ProposalRead(BaseModel):
    id: int
    community_code: str
    state: str
    stale: bool
    households_moved: int
    solver_status: str
    solve_seconds: float
    boundary_m: float
    created_by: str
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    effective_at: datetime | None
    slots: list[SlotRead]
    units: list[UnitRead]
    violations: list[RuleRead]


class ApplyResult(BaseModel):
    proposal_id: int
    state: str  # "approved" (applied) or "scheduled" (applied by the scheduler at effective_at)
    effective_at: datetime
    added: list[str]
    retired: list[str]
    changed: list[str]
    moved: dict[str, int]
    reassigned: list[str]


class GridAt(BaseModel):
    record_type: str
    record_id: int
    at: datetime
    grid_code: str
