"""Reading, exporting and verifying the trail."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from gridgov.audit import chain, hashing, trail
from gridgov.audit.hashing import HASHED_FIELDS
from gridgov.audit.repository import AuditRepository
from gridgov.audit.schemas import AuditEntryRead, AuditFilter, VerifyProblem, VerifyRead
from gridgov.authz.principal import Principal
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models.audit import AuditEntry

EXPORT_MAX_ROWS = 100_000
# The hashed fields, between the row's place in the chain and its hashes.
CSV_COLUMNS = ["id", "seq", *HASHED_FIELDS, "entry_hash", "chain_hash"]


def list_entries(
    session: Session, *, principal: Principal, filters: AuditFilter, page: PageParams
) -> tuple[list[AuditEntry], int]:
    stmt = AuditRepository(session).filtered(principal, filters)
    return paginate(session, stmt, page)


def _cell(value: Any) -> str:
    text = "" if value is None else value if isinstance(value, str) else hashing.canonical(value)
    # Spreadsheet formula injection: a leading = + - @ (or tab/CR) is shown as text.
    if text and text[0] in "=+-@\t\r":
        text = "'" + text
    return text


def export_csv(session: Session, *, principal: Principal, filters: AuditFilter) -> str:
    """CSV (UTF-8 with BOM for Excel) of the filtered entries; the export itself is trailed."""
    stmt = AuditRepository(session).filtered(principal, filters).limit(EXPORT_MAX_ROWS)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for entry in session.scalars(stmt):
        row = AuditEntryRead.model_validate(entry).model_dump(mode="json")
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
        count += 1
    trail.record(
        session,
        action="audit.export",
        object_type="audit_entries",
        principal=principal,
        after={"filters": filters.model_dump(mode="json", exclude_none=True), "rows": count},
    )
    return out.getvalue()


def verify(session: Session, *, principal: Principal) -> VerifyRead:
    """Verify the chain as it stands (sealing is the sealer's job)."""
    connection: Connection = session.connection()
    report = chain.verify(connection)
    trail.record(
        session,
        action="audit.verify",
        object_type="audit_entries",
        principal=principal,
        outcome="success" if report.ok else "failure",
        after={"checked": report.checked, "head_seq": report.head_seq, "ok": report.ok},
    )
    problems = [
        VerifyProblem(entry_id=p.entry_id, seq=p.seq, reason=p.reason) for p in report.problems
    ]
    return VerifyRead(
        ok=report.ok,
        checked=report.checked,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        unsealed_recent=report.unsealed_recent,
        first_broken=problems[0] if problems else None,
        problems=problems,
    )
