"""Which departments the demo gives accounts to: those the cases are dispatched to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.models.case import Case
from gridgov.models.category import CaseCategory


def receiving_departments(session: Session) -> list[str]:
    """Departments that were dispatched cases, else (none yet) those the categories route to."""
    held = session.scalars(
        select(Case.department_code)
        .where(Case.department_code.is_not(None), Case.dispatched_at.is_not(None))
        .distinct()
    ).all()
    if held:
        return sorted(code for code in held if code)
    routed = session.scalars(
        select(CaseCategory.department_code)
        .where(CaseCategory.department_code.is_not(None))
        .distinct()
    ).all()
    return sorted(code for code in routed if code)
