"""The two ways a record of the population base is written: created, or changed as a new version.

Both end the same way for persons, households, houses and organisations: a trail entry with the
visible before/after, and fresh statistics (before the commit) for every grid the record left or
entered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.people.common import change_source, write_trail
from gridgov.people.stats import mark_stale
from gridgov.people.versioning import apply_changes, snapshot


def record_created(session: Session, row: Any, *, kind: str, principal: Principal) -> None:
    """Trail, and statistics marked stale, for a record that has just been flushed."""
    write_trail(
        session,
        action=f"{kind}.create",
        kind=kind,
        row=row,
        principal=principal,
        before=None,
        after=snapshot(row),
    )
    mark_stale(session, [row.grid_code])


def save_changes(
    session: Session,
    row: Any,
    *,
    kind: str,
    values: dict[str, Any],
    principal: Principal,
    source: str | None,
    reason: str | None,
    base_version: int | None,
    flush: bool = True,
) -> None:
    """Apply ``values`` as a new version (nothing when nothing changes); a stale
    ``base_version`` raises :class:`~gridgov.kit.errors.Conflict`. ``flush``: see
    :func:`~gridgov.people.versioning.apply_changes`."""
    old_grid = row.grid_code
    result = apply_changes(
        session,
        row,
        record_type=kind,
        values=values,
        principal=principal,
        source=change_source(principal, source),
        reason=reason,
        base_version=base_version,
        flush=flush,
    )
    if result is None:
        return
    write_trail(
        session,
        action=f"{kind}.update",
        kind=kind,
        row=row,
        principal=principal,
        before=result[0],
        after=result[1],
        note=reason,
    )
    mark_stale(session, {old_grid, row.grid_code})
