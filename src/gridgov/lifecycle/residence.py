"""Floating residents' residence cycle: registered → permit → renewal → expired or moved away.

The events (permit issued, renewed, expiring; move-out) change the person through the rules;
here: the counts per grid of permits expiring in a month, and the cycle stage of a person.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.lifecycle.admission import month_bounds
from gridgov.models.person import LivingStatus, Person, ResidenceType


def expiring_by_grid(session: Session, *, principal: Principal, month: str) -> list[dict[str, Any]]:
    first, following = month_bounds(month)
    rows = session.execute(
        select(Person.grid_code, func.count(Person.id))
        .where(
            Person.residence_type == ResidenceType.FLOATING,
            Person.living_status == LivingStatus.ALIVE,
            Person.permit_expires_on >= first,
            Person.permit_expires_on < following,
            scope_clause(principal, grid_code=Person.grid_code, category="person"),
        )
        .group_by(Person.grid_code)
        .order_by(func.count(Person.id).desc(), Person.grid_code)
        .limit(2000)
    )
    return [{"grid_code": grid, "expiring": int(n)} for grid, n in rows]


def stage(person: Person, today: date) -> str:
    """Where a resident stands in the cycle (for the timeline page)."""
    if person.living_status == LivingStatus.MOVED_AWAY:
        return "moved_away"
    if person.residence_type != ResidenceType.FLOATING:
        return "registered"
    if person.permit_expires_on is None:
        return "floating_registered"
    if person.permit_expires_on < today:
        return "expired"
    if (person.permit_expires_on - today).days <= 30:
        return "expiring"
    return "permit"
