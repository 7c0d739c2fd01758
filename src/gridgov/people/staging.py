"""Checked person imports kept on the server (issue 10): the dry run stores the file's rows
(encrypted) with the check's report under an id; the one who uploaded it commits the valid rows
later without choosing the file again, or discards it; after ``KEEP`` it expires. The rejected
rows stay (encrypted) for the error file until the import expires."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.auth.uploads import Upload
from gridgov.authz.principal import Principal
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import decrypt, encrypt
from gridgov.kit.errors import BadRequest, Conflict, NotFound
from gridgov.models.person_import import PersonImport
from gridgov.people.importer import ImportReport, import_persons

KEEP = timedelta(hours=24)  # a checked import waits this long for its commit
OBJECT = "person_import"
Rows = Sequence[tuple[int, dict[str, str]]]


@dataclass(frozen=True)
class BadRow:
    row: int
    cells: dict[str, str]
    errors: list[dict[str, Any]]


def _seal(rows: Rows) -> str:
    return encrypt(json.dumps([[number, cells] for number, cells in rows], ensure_ascii=False))


def _open(sealed: str | None) -> list[tuple[int, dict[str, str]]]:
    if not sealed:
        return []
    return [(int(number), dict(cells)) for number, cells in json.loads(decrypt(sealed))]


def _rejected_only(rows: Rows, report: ImportReport) -> list[tuple[int, dict[str, str]]]:
    bad = {e.row for e in report.errors}
    return [(number, cells) for number, cells in rows if number in bad]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def as_dict(staged: PersonImport) -> dict[str, Any]:
    return {
        "import_id": staged.id,
        "status": staged.status,
        "filename": staged.filename,
        "created_at": staged.created_at.isoformat(),
        "expires_at": staged.expires_at.isoformat(),
        "total": staged.total,
        "valid": staged.valid,
        "rejected": staged.rejected,
        "committed": staged.status == "committed",
        "persons_created": staged.persons_created,
        "households_created": staged.households_created,
        "houses_created": staged.houses_created,
        "errors": staged.errors,
    }


def _report_into(staged: PersonImport, report: ImportReport) -> None:
    staged.total, staged.valid, staged.rejected = report.total, report.valid, report.rejected
    staged.errors = [dict(e.__dict__) for e in report.errors]
    staged.persons_created = report.persons_created
    staged.households_created = report.households_created
    staged.houses_created = report.houses_created


def stage_upload(
    session: Session,
    *,
    principal: Principal,
    upload: Upload[list[tuple[int, dict[str, str]]]],
    reason: str | None,
) -> PersonImport:
    """``stage`` for an uploaded file (the page and the API); the reason names the file unless
    one is given."""
    return stage(
        session,
        principal=principal,
        rows=upload.parsed,
        filename=upload.filename,
        reason=reason or f"上传导入 {upload.filename}",
    )


def stage(
    session: Session,
    *,
    principal: Principal,
    rows: Rows,
    filename: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> PersonImport:
    """Check every row (nothing loaded) and keep the file's rows under a new import id."""
    now = now or utcnow()
    report = import_persons(session, principal=principal, rows=iter(rows), commit=False)
    staged = PersonImport(
        created_by_id=principal.user_id,
        created_at=now,
        expires_at=now + KEEP,
        filename=filename[:200],
        reason=reason,
        status="staged",
        rows_enc=_seal(rows),
    )
    _report_into(staged, report)
    session.add(staged)
    session.flush()
    trail.record(
        session,
        action="person.import.check",
        object_type=OBJECT,
        object_id=staged.id,
        principal=principal,
        after={"filename": staged.filename, "total": report.total, "rejected": report.rejected},
        note=reason,
    )
    return staged


def get_own(
    session: Session, *, principal: Principal, import_id: int, for_update: bool = False
) -> PersonImport:
    """An import of the caller's own (nobody else's, whatever the role)."""
    statement = select(PersonImport).where(
        PersonImport.id == import_id, PersonImport.created_by_id == principal.user_id
    )
    staged = session.scalar(statement.with_for_update() if for_update else statement)
    if staged is None:
        raise NotFound("导入批次不存在或不是您上传的", "No such import of yours")
    return staged


def _waiting(staged: PersonImport, now: datetime) -> None:
    if staged.status == "committed":
        raise Conflict("该批次已导入", "This import was committed already")
    if staged.status == "discarded":
        raise Conflict("该批次已放弃", "This import was discarded")
    if staged.status == "expired" or now >= _aware(staged.expires_at):
        raise Conflict("该批次已过期，请重新上传文件", "This import expired: upload the file again")


def import_checked(
    session: Session, *, principal: Principal, import_id: int, now: datetime | None = None
) -> PersonImport:
    """Load the valid rows of a checked import (checked again against the base as it is now)."""
    now = now or utcnow()
    staged = get_own(session, principal=principal, import_id=import_id, for_update=True)
    _waiting(staged, now)
    if not staged.valid:
        raise BadRequest("没有可导入的有效行", "There are no valid rows to import")
    rows = _open(staged.rows_enc)
    report = import_persons(
        session,
        principal=principal,
        rows=iter(rows),
        commit=True,
        reason=staged.reason or f"上传导入 {staged.filename}",
    )
    _report_into(staged, report)
    staged.status, staged.finished_at = "committed", now
    staged.rows_enc = _seal(_rejected_only(rows, report)) if report.errors else None
    trail.record(
        session,
        action="person.import.commit",
        object_type=OBJECT,
        object_id=staged.id,
        principal=principal,
        after={"persons_created": report.persons_created, "rejected": report.rejected},
    )
    return staged


def discard(
    session: Session, *, principal: Principal, import_id: int, now: datetime | None = None
) -> PersonImport:
    now = now or utcnow()
    staged = get_own(session, principal=principal, import_id=import_id, for_update=True)
    _waiting(staged, now)
    staged.status, staged.finished_at, staged.rows_enc = "discarded", now, None
    trail.record(
        session,
        action="person.import.discard",
        object_type=OBJECT,
        object_id=staged.id,
        principal=principal,
    )
    return staged


def bad_rows(
    session: Session, *, principal: Principal, import_id: int
) -> tuple[PersonImport, list[BadRow]]:
    """The rejected rows as uploaded, each with its reasons (for the error file)."""
    staged = get_own(session, principal=principal, import_id=import_id)
    if staged.rejected and not staged.rows_enc:
        raise Conflict("该批次的文件已不再保留", "This import's rows are no longer kept")
    reasons: dict[int, list[dict[str, Any]]] = {}
    for error in staged.errors:
        reasons.setdefault(int(error["row"]), []).append(error)
    rows = [
        BadRow(row=number, cells=cells, errors=reasons[number])
        for number, cells in _open(staged.rows_enc)
        if number in reasons
    ]
    return staged, rows


def expire(session: Session, *, now: datetime) -> int:
    """Staged imports past their time expire; every kept file older than ``KEEP`` is dropped."""
    expired = session.execute(
        update(PersonImport)
        .where(PersonImport.status == "staged", PersonImport.expires_at <= now)
        .values(status="expired", rows_enc=None, finished_at=now)
    )
    session.execute(
        update(PersonImport)
        .where(
            PersonImport.rows_enc.is_not(None),
            or_(PersonImport.expires_at <= now, PersonImport.finished_at <= now - KEEP),
        )
        .values(rows_enc=None)
    )
    return int(expired.rowcount or 0)  # type: ignore[attr-defined]
