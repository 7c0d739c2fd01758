"""Versioning of population-base records (shared by persons, households, houses, organisations).

* :func:`stamp` fills the version columns of a new row (version 1);
* :func:`apply_changes` checks the base version, copies the current state into
  ``record_versions``, applies the changes and bumps the version;
* :func:`history` reads every version, oldest first, ending with the current row.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import Conflict
from gridgov.kit.models import Base
from gridgov.models.versioning import ChangeSource, RecordVersion
from gridgov.people.repository import PopulationRepository
from gridgov.people.schemas import VersionRead

VERSION_COLUMNS = frozenset(
    {
        "version",
        "changed_at",
        "changed_by_id",
        "changed_by_name",
        "change_source",
        "change_reason",
        "created_at",
        "updated_at",
    }
)
# Never shown in history or written to the trail (ciphertexts and keyed hashes).
HIDDEN_SUFFIXES = ("_enc", "_hash")


def default_source(principal: Principal) -> str:
    """The change source implied by the caller's role."""
    if principal.role == Role.GRID_WORKER:
        return ChangeSource.GRID_WORKER
    if principal.role == Role.INTAKE_CLERK:
        return ChangeSource.CLERK
    if principal.role in (Role.DEPARTMENT_HANDLER, Role.DEPARTMENT_ADMIN):
        return ChangeSource.DEPARTMENT
    return ChangeSource.STAFF


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(row: Base) -> dict[str, Any]:
    """The row's data columns (sensitive ones still encrypted), JSON-ready."""
    return {
        column.key: _plain(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in VERSION_COLUMNS
    }


def visible(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.endswith(HIDDEN_SUFFIXES)}


def stamp(row: Any, *, principal: Principal, source: str, reason: str | None) -> None:
    row.version = 1
    row.changed_at = utcnow()
    row.changed_by_id = principal.user_id if principal else None
    row.changed_by_name = principal.username if principal else None
    row.change_source = str(source)
    row.change_reason = reason


def apply_changes(
    session: Session,
    row: Any,
    *,
    record_type: str,
    values: dict[str, Any],
    principal: Principal,
    source: str,
    reason: str | None,
    base_version: int | None,
    flush: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Apply ``values`` as a new version. Returns (before, after) snapshots, or None when nothing
    actually changed (no new version is made). Raises :class:`Conflict` on a stale version.
    ``flush=False``: the caller flushes many changes at once, in a savepoint of its own, and
    takes an ``IntegrityError`` there as the conflict."""
    if base_version is not None and base_version != row.version:
        raise Conflict(
            f"记录已被他人修改（当前版本 {row.version}，您的版本 {base_version}），请刷新后重试",
            f"The record was changed meanwhile (now version {row.version}, yours "
            f"{base_version}); reload and retry",
            current_version=row.version,
        )
    changed = {k: v for k, v in values.items() if _plain(getattr(row, k)) != _plain(v)}
    if not changed:
        return None
    before = snapshot(row)
    session.add(
        RecordVersion(
            record_type=record_type,
            record_id=row.id,
            version=row.version,
            data=before,
            changed_at=row.changed_at,
            changed_by_id=row.changed_by_id,
            changed_by_name=row.changed_by_name,
            change_source=row.change_source,
            change_reason=row.change_reason,
        )
    )
    for key, value in changed.items():
        setattr(row, key, value)
    row.version = row.version + 1
    row.changed_at = utcnow()
    row.changed_by_id = principal.user_id if principal else None
    row.changed_by_name = principal.username if principal else None
    row.change_source = str(source)
    row.change_reason = reason
    if not flush:
        return before, snapshot(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "记录已被他人同时修改，请刷新后重试",
            "The record was changed at the same time by someone else; reload and retry",
        ) from exc
    return before, snapshot(row)


def history(session: Session, row: Any, *, record_type: str) -> list[VersionRead]:
    versions = PopulationRepository(session).record_versions(
        record_type=record_type, record_id=row.id
    )
    entries: list[tuple[int, Any, dict[str, Any], bool]] = [
        (v.version, v, v.data, False) for v in versions
    ]
    entries.append((row.version, row, snapshot(row), True))
    out: list[VersionRead] = []
    previous: dict[str, Any] | None = None
    for version, meta, data, current in entries:
        changed = (
            sorted(k for k in data if previous is None or previous.get(k) != data.get(k))
            if previous is not None
            else []
        )
        out.append(
            VersionRead(
                version=version,
                changed_at=meta.changed_at,
                changed_by_name=meta.changed_by_name,
                change_source=meta.change_source,
                change_reason=meta.change_reason,
                current=current,
                data=visible(data),
                changed_fields=[k for k in changed if not k.endswith(HIDDEN_SUFFIXES)]
                + (["id_number"] if "id_number_hash" in changed else [])
                + (["phone"] if "phone_hash" in changed else []),
            )
        )
        previous = data
    return out
