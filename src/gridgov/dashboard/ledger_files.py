"""Monthly ledgers: every ledger for the city and each district, made by the scheduler (or
``gridgov ledgers monthly``) into ``<media_dir>/ledgers/`` and listed on the downloads page."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select, true
from sqlalchemy.orm import Session

from gridgov.authz.policy import city_wide, scope_clause
from gridgov.authz.principal import Principal, system_principal
from gridgov.config import get_settings
from gridgov.dashboard import ledgers
from gridgov.dashboard.aggregates import local_today
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import NotFound
from gridgov.models import Region
from gridgov.models.dashboard import LedgerFile
from gridgov.models.region import BASE_LAYER


def ledger_dir() -> Path:
    return get_settings().media_dir / "ledgers"


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)


def previous_month(today: date | None = None) -> date:
    return (today or local_today()).replace(day=1) - timedelta(days=1)


def make_monthly(
    session: Session, *, month: date, directory: Path | None = None, districts: bool = True
) -> list[LedgerFile]:
    """Every ledger of ``month`` for the city and (unless ``districts`` is False) each
    district; made again if asked twice."""
    principal = system_principal("ledgers.monthly")
    directory = directory or ledger_dir()
    directory.mkdir(parents=True, exist_ok=True)
    start, end = month_bounds(month)
    regions: list[str] = [""]
    if districts:
        regions += session.scalars(
            select(Region.code).where(Region.layer == BASE_LAYER, func.length(Region.code) == 6)
        ).all()
    session.execute(
        delete(LedgerFile).where(LedgerFile.period_start == start, LedgerFile.period_end == end)
    )
    made = []
    for region in regions:
        for kind in ledgers.LEDGERS:
            request = ledgers.prepare(
                session, principal=principal, kind=kind, region=region, start=start, end=end
            )
            name = ledgers.filename(request, end)
            stored = f"{start:%Y%m}_{region or 'city'}_{kind}.xlsx"
            rows = ledgers.write(
                session, principal=principal, request=request, target=directory / stored, today=end
            )
            row = LedgerFile(
                kind=kind,
                region_code=region,
                period_start=start,
                period_end=end,
                filename=name,
                rows=rows,
                created_at=utcnow(),
            )
            session.add(row)
            made.append(row)
    session.flush()
    return made


def _readable(principal: Principal) -> Any:
    whole_city = LedgerFile.region_code == ""
    if city_wide(principal):
        return true()
    return (~whole_city) & scope_clause(principal, grid_code=LedgerFile.region_code)


def list_files(session: Session, principal: Principal) -> list[LedgerFile]:
    stmt = (
        select(LedgerFile)
        .where(_readable(principal))
        .order_by(LedgerFile.period_start.desc(), LedgerFile.region_code, LedgerFile.kind)
        .limit(500)
    )
    return list(session.scalars(stmt))


def open_file(session: Session, *, principal: Principal, file_id: int) -> tuple[LedgerFile, Path]:
    row = session.scalar(
        select(LedgerFile).where(LedgerFile.id == file_id, or_(_readable(principal)))
    )
    if row is None:
        raise NotFound("台账文件不存在", "No such ledger file", id=file_id)
    path = ledger_dir() / f"{row.period_start:%Y%m}_{row.region_code or 'city'}_{row.kind}.xlsx"
    if not path.exists():
        raise NotFound("台账文件不存在", "The ledger file is missing", id=file_id)
    return row, path


def to_read(row: LedgerFile) -> dict[str, Any]:
    kind = ledgers.LEDGERS.get(row.kind)
    return {
        "id": row.id,
        "kind": row.kind,
        "title": kind.title if kind else row.kind,
        "region_code": row.region_code,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "filename": row.filename,
        "rows": row.rows,
        "url": f"/api/v1/ledgers/files/{row.id}",
    }
