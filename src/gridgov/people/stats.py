"""Per-grid population statistics (queries; part of the people repository layer).

``grid_population_stats`` holds one row per grid, refreshed by every write path (services, import,
synthetic city). Parents (community, street, district, city) are sums over code prefixes, so the
whole city answers from ~1,100 small rows.

A service write only marks its grids stale (:func:`mark_stale`); the stale grids are recomputed
once, inside the same transaction, just before it commits (``kit.db.before_commit``) — a batch of
2,000 changes costs one refresh, and what is committed is always consistent. Readers in the same
transaction (:func:`population_counts`) refresh the stale grids first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, case, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gridgov.kit.clock import utcnow
from gridgov.kit.db import before_commit
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import LivingStatus, Person, ResidenceType
from gridgov.models.population_stats import GridPopulationStats
from gridgov.people.tags import SPECIAL_GROUP_TAGS

ELDERLY_AGE = 60


@dataclass
class PopulationCounts:
    """Counts for one region (a grid or any parent by code prefix). Living residents only."""

    households: int = 0
    persons: int = 0
    registered: int = 0
    floating: int = 0
    foreign: int = 0
    elderly: int = 0
    elderly_alone: int = 0
    special_groups: int = 0
    houses: int = 0
    organisations: int = 0

    @property
    def floating_share(self) -> float:
        return self.floating / self.persons if self.persons else 0.0

    def add(self, other: PopulationCounts | GridPopulationStats) -> None:
        for f in fields(PopulationCounts):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    def as_dict(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["floating_share"] = round(self.floating_share, 4)
        return out


def _elderly_cutoff(today: date) -> date:
    try:
        return today.replace(year=today.year - ELDERLY_AGE)
    except ValueError:  # 29 February
        return today.replace(year=today.year - ELDERLY_AGE, day=28)


def _tag_like(code: str) -> ColumnElement[bool]:
    return Person.tag_codes.like(f"%,{code},%")


_STALE = "gridgov_stale_grids"


def mark_stale(session: Session, grid_codes: Collection[str | None]) -> None:
    """The statistics of ``grid_codes`` are out of date: refresh them before the commit."""
    codes = {c for c in grid_codes if c}
    if not codes:
        return
    session.info.setdefault(_STALE, set()).update(codes)
    before_commit(session, "people.stats", refresh_stale)


def refresh_stale(session: Session) -> int:
    """Recompute the grids marked stale in this session (once); returns rows written."""
    codes = session.info.pop(_STALE, None)
    return refresh_grid_stats(session, grid_codes=codes) if codes else 0


def refresh_grid_stats(
    session: Session, *, grid_codes: Collection[str] | None = None, today: date | None = None
) -> int:
    """Recompute the statistics of ``grid_codes`` (all grids when ``None``). Returns rows written."""
    codes = None if grid_codes is None else sorted({c for c in grid_codes if c})
    if codes is not None and not codes:
        return 0
    cutoff = _elderly_cutoff(today or date.today())

    def one(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    alive = Person.living_status == LivingStatus.ALIVE
    people = select(
        Person.grid_code,
        func.count(),
        one(Person.residence_type == ResidenceType.REGISTERED),
        one(Person.residence_type == ResidenceType.FLOATING),
        one(Person.residence_type == ResidenceType.FOREIGN),
        one(Person.birth_date <= cutoff),
        one(_tag_like("elderly_alone")),
        one(or_(*[_tag_like(code) for code in SPECIAL_GROUP_TAGS])),
    ).where(alive)
    households = select(Household.grid_code, func.count()).where(Household.status == "active")
    houses = select(House.grid_code, func.count()).where(House.status == "active")
    orgs = select(Organisation.grid_code, func.count()).where(Organisation.status == "active")
    if codes is not None:
        people = people.where(Person.grid_code.in_(codes))
        households = households.where(Household.grid_code.in_(codes))
        houses = houses.where(House.grid_code.in_(codes))
        orgs = orgs.where(Organisation.grid_code.in_(codes))

    rows: dict[str, dict[str, object]] = {}
    now = utcnow()

    def row(code: str) -> dict[str, object]:
        if code not in rows:
            rows[code] = {f.name: 0 for f in fields(PopulationCounts)}
            rows[code]["grid_code"] = code
            rows[code]["refreshed_at"] = now
        return rows[code]

    for code in codes or ():
        row(code)
    for code, n, reg, flo, fgn, eld, alone, special in session.execute(
        people.group_by(Person.grid_code)
    ):
        row(code).update(
            persons=n,
            registered=reg,
            floating=flo,
            foreign=fgn,
            elderly=eld,
            elderly_alone=alone,
            special_groups=special,
        )
    for stmt, name in ((households, "households"), (houses, "houses"), (orgs, "organisations")):
        for code, n in session.execute(stmt.group_by(stmt.selected_columns[0])):
            row(code)[name] = n

    if codes is None:
        # Whole city (bulk jobs): replace the table.
        session.execute(delete(GridPopulationStats))
        if rows:
            session.execute(insert(GridPopulationStats), list(rows.values()))
        return len(rows)
    # Some grids (the stale ones of a transaction): one upsert for all, so concurrent writers in
    # one grid never collide on the primary key.
    dialect = session.get_bind().dialect.name
    upsert_insert: Any = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = upsert_insert(GridPopulationStats)
    stmt = stmt.on_conflict_do_update(
        index_elements=[GridPopulationStats.grid_code],
        set_={
            name: stmt.excluded[name]
            for name in [f.name for f in fields(PopulationCounts)] + ["refreshed_at"]
        },
    )
    session.execute(stmt, [rows[code] for code in sorted(rows)])
    return len(rows)


def population_counts(
    session: Session, *, region_codes: Sequence[str]
) -> dict[str, PopulationCounts]:
    """Counts for each region code (a grid, community, street or district code — any prefix of
    grid codes; ``""`` is the whole city). Regions without people get zeros."""
    result = {code: PopulationCounts() for code in region_codes}
    if not result:
        return result
    refresh_stale(session)
    lengths = sorted({len(code) for code in result})
    names = [f.name for f in fields(PopulationCounts)]
    stmt = select(GridPopulationStats.grid_code, *[getattr(GridPopulationStats, n) for n in names])
    if len(result) <= 50 and "" not in result:
        stmt = stmt.where(
            or_(
                *[
                    (GridPopulationStats.grid_code >= code)
                    & (GridPopulationStats.grid_code < code + ":")
                    for code in result
                ]
            )
        )
    for grid_code, *values in session.execute(stmt):
        for length in lengths:
            counts = result.get(grid_code[:length])
            if counts is not None:
                for name, value in zip(names, values, strict=True):
                    setattr(counts, name, getattr(counts, name) + value)
    return result
