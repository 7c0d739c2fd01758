"""Data-quality report per source and load: completeness and validity per field, ID check
failures, match rate and decisions, findings, trend across loads; as a page and an Excel file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.models.source import Source, SourceFinding, SourceLink, SourceLoad
from gridgov.sources.repository import SourceRepository


@dataclass
class QualityReport:
    source: Source
    loads: list[SourceLoad]
    decisions: dict[str, int]
    match_rate: float
    findings: dict[str, int]
    fields: list[str]


def report(session: Session, *, source_name: str) -> QualityReport:
    source = SourceRepository(session).source_by_name(source_name)
    loads = list(SourceRepository(session).loads_of(source.id))
    decisions = {
        decision: int(count)
        for decision, count in session.execute(
            select(SourceLink.decision, func.count())
            .where(SourceLink.source_id == source.id, SourceLink.current.is_(True))
            .group_by(SourceLink.decision)
        )
    }
    total = sum(decisions.values())
    matched = sum(decisions.get(d, 0) for d in ("auto_linked", "accepted", "created"))
    findings = {
        kind: int(count)
        for kind, count in session.execute(
            select(SourceFinding.kind, func.count())
            .where(SourceFinding.source_id == source.id)
            .group_by(SourceFinding.kind)
        )
    }
    fields = sorted({f for load in loads for f in (load.quality or {}).get("completeness", {})})
    return QualityReport(
        source=source,
        loads=loads,
        decisions=decisions,
        match_rate=matched / total if total else 0.0,
        findings=findings,
        fields=fields,
    )


def write_excel(report: QualityReport, path: Path, labels: dict[str, str]) -> None:
    """Sheets: one row per load (counts, ID failures, completeness per field), decisions,
    findings. ``labels`` names the columns in the reader's language."""
    # lazy: openpyxl (~0.5 s) loads only when a workbook is read or written, not at every start
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = labels["loads"]
    sheet.append(
        [labels[k] for k in ("when", "who", "received", "new", "changed", "unchanged",
                             "rejected", "id_problems")] + report.fields
    )  # fmt: skip
    for load in report.loads:
        quality: dict[str, Any] = load.quality or {}
        sheet.append(
            [load.started_at.isoformat(timespec="seconds"), load.loaded_by, load.received,
             load.created, load.changed, load.unchanged, load.rejected,
             sum((quality.get("id_problems") or {}).values())]
            + [quality.get("completeness", {}).get(f, 0.0) for f in report.fields]
        )  # fmt: skip
    decisions = book.create_sheet(labels["decisions"])
    for decision, count in sorted(report.decisions.items()):
        decisions.append([labels.get(f"decision.{decision}", decision), count])
    decisions.append([labels["match_rate"], round(report.match_rate, 4)])
    findings = book.create_sheet(labels["findings"])
    for kind, count in sorted(report.findings.items()):
        findings.append([labels.get(f"finding.{kind}", kind), count])
    book.save(path)
