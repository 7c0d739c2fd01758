"""Data scope: which grid codes a principal may read.

Grid codes are hierarchical (6 district + 3 street + 3 community + 3 grid), so a subtree is a code
prefix, expressed as a half-open range ``[prefix, prefix + ":")`` that every B-tree index serves on
SQLite and PostgreSQL alike (":" sorts right after "9").
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, true
from sqlalchemy.orm import InstrumentedAttribute

from gridgov.authz.principal import CITY_ROLES, DEPARTMENT_ROLES, Principal, Role


@dataclass(frozen=True)
class RegionScope:
    """``everything`` or a code prefix or an explicit set of grid codes (overlay inspectors)."""

    everything: bool = False
    prefix: str | None = None
    grid_codes: frozenset[str] = frozenset()

    def contains(self, code: str | None) -> bool:
        if self.everything:
            return True
        if code is None:
            return False
        if self.prefix is not None:
            return code.startswith(self.prefix)
        return code in self.grid_codes

    def clause(
        self, column: InstrumentedAttribute[str] | ColumnElement[str]
    ) -> ColumnElement[bool]:
        """A WHERE clause restricting ``column`` (a grid code or any region code) to the scope."""
        if self.everything:
            return true()
        if self.prefix is not None:
            return and_(column >= self.prefix, column < self.prefix + ":")
        if self.grid_codes:
            return column.in_(sorted(self.grid_codes))
        return false()


NOTHING = RegionScope()
EVERYTHING = RegionScope(everything=True)


def region_scope(principal: Principal) -> RegionScope:
    """The part of the city whose people, houses, facilities and cases the principal may read."""
    if principal.system or principal.role in CITY_ROLES:
        return EVERYTHING
    if principal.role == Role.INSPECTOR:
        return RegionScope(grid_codes=principal.grid_codes)
    if principal.role in DEPARTMENT_ROLES:
        # Departments read through their entitlements and their own cases, not by territory.
        return NOTHING
    if principal.region_code:
        return RegionScope(prefix=principal.region_code)
    return NOTHING
