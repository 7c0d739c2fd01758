"""Excel ledgers (台账): generated from the records, never typed.

Every ledger is one sheet: a title row, a line with the unit (the region) and the period, the
Chinese header row (repeated on every printed page), then the rows; A4 landscape, fit to the
page width. openpyxl's write-only mode streams the rows to a temporary file, so even a
whole-city ledger never holds a workbook in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import city_wide
from gridgov.authz.principal import Principal
from gridgov.dashboard import ledger_sources as sources
from gridgov.kit.errors import BadRequest, NotFound

TITLE_ROW, UNIT_ROW, HEADER_ROW = 1, 2, 3
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12


@dataclass(frozen=True)
class LedgerKind:
    key: str
    title: str
    columns: tuple[Column, ...]
    # Whether the ledger covers a period (a population ledger is a state on a day).
    periodic: bool
    # Ledgers of personal data are sensitive reads: the download is written to the trail.
    personal: bool = False


LEDGERS: dict[str, LedgerKind] = {
    kind.key: kind
    for kind in (
        LedgerKind(
            "population",
            "网格人口统计台账",
            (Column("序号", 6), Column("区", 12), Column("街道", 14), Column("社区", 14),
             Column("网格编码", 18), Column("网格名称", 16), Column("户数", 9),
             Column("实有人口", 10), Column("户籍人口", 10), Column("流动人口", 10),
             Column("境外人员", 10), Column("老年人", 9), Column("独居老人", 10),
             Column("特殊人群", 10), Column("房屋", 9), Column("单位", 9)),
            periodic=False,
        ),
        LedgerKind(
            "special_population",
            "特殊人群台账",
            (Column("序号", 6), Column("网格编码", 18), Column("姓名", 10),
             Column("性别", 6), Column("出生日期", 12), Column("证件号码", 22),
             Column("类别", 26), Column("现住址", 36)),
            periodic=False,
            personal=True,
        ),
        LedgerKind(
            "cases",
            "案件办理情况台账（按责任单位）",
            (Column("序号", 6), Column("责任单位", 24), Column("受理", 9), Column("结案", 9),
             Column("按时结案", 10), Column("结案率", 9), Column("按时结案率", 11),
             Column("返工", 8), Column("延期", 8), Column("当前在办", 10), Column("当前超期", 10)),
            periodic=True,
        ),
        LedgerKind(
            "patrol",
            "网格员巡查履职台账",
            (Column("序号", 6), Column("网格编码", 18), Column("网格名称", 16),
             Column("网格员", 12), Column("日期", 12), Column("巡查次数", 10),
             Column("网格内时长（小时）", 16), Column("里程（公里）", 12), Column("是否达标", 10)),
            periodic=True,
        ),
        LedgerKind(
            "scores",
            "客观评价考评得分台账",
            (Column("序号", 6), Column("考核对象", 10), Column("名称", 24), Column("基础分", 9),
             Column("扣分", 9), Column("加分", 9), Column("得分", 9), Column("计分事件数", 12),
             Column("排名", 8)),
            periodic=True,
        ),
        LedgerKind(
            "proxy_services",
            "代办服务台账",
            (Column("序号", 6), Column("网格编码", 18), Column("网格名称", 14),
             Column("代办事项", 20), Column("居民", 10), Column("证件号码", 22),
             Column("承办部门", 18), Column("开启时间", 17), Column("办理时限", 17),
             Column("移交时间", 17), Column("办结时间", 17), Column("状态", 10),
             Column("是否超期", 10), Column("办理结果", 24)),
            periodic=True,
            personal=True,
        ),
    )
}  # fmt: skip


@dataclass(frozen=True)
class LedgerRequest:
    kind: LedgerKind
    region_code: str  # "" for the whole city
    unit_name: str
    start: date | None
    end: date | None


def prepare(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    region: str | None,
    start: date | None,
    end: date | None,
) -> LedgerRequest:
    """Check the request: a known ledger, a region in the caller's scope (else 404), a period."""
    spec = LEDGERS.get(kind)
    if spec is None:
        raise NotFound("台账不存在", f"No ledger {kind}", kind=kind)
    if not region and not city_wide(principal):
        # Without a region, a territory's staff get their own territory.
        region = principal.region_code
    unit = sources.unit_name(session, principal=principal, region=region or "")
    if unit is None:
        raise NotFound("区域不存在", "No such region", code=region)
    if not spec.periodic:
        start = end = None
    elif start is None or end is None:
        raise BadRequest("请填写统计期间", "A period (start, end) is required")
    elif end < start or (end - start).days >= MAX_PERIOD_DAYS:
        raise BadRequest(
            "统计期间须在一年以内且结束不早于开始",
            "The period must run forward and span at most a year",
        )
    return LedgerRequest(spec, region or "", unit, start, end)


def _rows(session: Session, principal: Principal, request: LedgerRequest) -> Iterator[list[Any]]:
    key, region = request.kind.key, request.region_code
    if key == "population":
        return sources.population_rows(session, principal=principal, region=region)
    if key == "special_population":
        return sources.special_population_rows(session, principal=principal, region=region)
    assert request.start is not None and request.end is not None
    if key == "cases":
        return sources.case_rows(
            session, principal=principal, region=region, start=request.start, end=request.end
        )
    if key == "proxy_services":
        return sources.proxy_rows(
            session, principal=principal, region=region, start=request.start, end=request.end
        )
    if key == "scores":
        return sources.score_rows(
            session, principal=principal, region=region, start=request.start, end=request.end
        )
    return sources.patrol_rows(
        session, principal=principal, region=region, start=request.start, end=request.end
    )


def period_text(request: LedgerRequest, today: date) -> str:
    if request.start is None or request.end is None:
        return f"截至 {today.isoformat()}"
    return f"{request.start.isoformat()} 至 {request.end.isoformat()}"


def write(
    session: Session,
    *,
    principal: Principal,
    request: LedgerRequest,
    target: IO[bytes] | Path,
    today: date,
) -> int:
    """Write the ledger's workbook to ``target``; returns the number of data rows."""
    spec = request.kind
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.title[:31])
    _print_setup(sheet, len(spec.columns))
    for index, column in enumerate(spec.columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    title = WriteOnlyCell(sheet, value=spec.title)
    title.font = Font(size=16, bold=True)
    title.alignment = Alignment(horizontal="center")
    sheet.append([title])
    sheet.append(
        [f"单位：{request.unit_name}", None, None, f"统计期间：{period_text(request, today)}"]
    )
    sheet.append([_header_cell(sheet, c.header) for c in spec.columns])
    count = 0
    for count, row in enumerate(_rows(session, principal, request), 1):
        sheet.append([count, *row])
    workbook.save(target)
    trail.record(
        session,
        action="ledger.generate",
        object_type="ledger",
        object_id=spec.key,
        principal=principal,
        after={
            "region": request.region_code,
            "start": request.start.isoformat() if request.start else None,
            "end": request.end.isoformat() if request.end else None,
            "rows": count,
        },
    )
    return count


def write_to_tempfile(
    session: Session, *, principal: Principal, request: LedgerRequest, today: date
) -> tuple[IO[bytes], int]:
    """The workbook in an anonymous temporary file (on disk past 1 MB), rewound for reading."""
    handle = tempfile.SpooledTemporaryFile(max_size=1 << 20)  # noqa: SIM115 - returned open
    rows = write(session, principal=principal, request=request, target=handle, today=today)
    handle.seek(0)
    return handle, rows


def filename(request: LedgerRequest, today: date) -> str:
    period = (
        f"{request.start:%Y%m%d}-{request.end:%Y%m%d}"
        if request.start and request.end
        else f"{today:%Y%m%d}"
    )
    return f"{request.kind.title}_{request.unit_name}_{period}.xlsx"


def _print_setup(sheet: Worksheet, columns: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    last = get_column_letter(columns)
    sheet.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")


_THIN = Side(style="thin", color="999999")


def _header_cell(sheet: Worksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="DDE7F0")
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    cell.border = Border(top=_THIN, bottom=_THIN, left=_THIN, right=_THIN)
    return cell


def catalogue() -> Iterable[dict[str, Any]]:
    return (
        {"kind": k.key, "title": k.title, "periodic": k.periodic, "personal": k.personal}
        for k in LEDGERS.values()
    )
