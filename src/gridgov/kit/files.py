"""Opening uploaded spreadsheets safely: one place for every import (persons, XLSForms,
department files).

A ``.xlsx`` is a zip of XML parts: 500 KB can inflate to gigabytes, and a sheet's declared
dimension can make a reader produce billions of empty cells. So the zip's directory is inspected
before anything is inflated (total uncompressed size, the parts a workbook must have), rows and
cells are counted while reading, and every cell is checked for what the database cannot store
(NUL) or no form should hold (a field over :attr:`FileLimits.max_field_chars`). Text files are
read as UTF-8 (with or without BOM) or GB18030. Every refusal is a :class:`FileRejected` naming
the file's problem; nothing else escapes.

Parsing is CPU work: :func:`gridgov.auth.uploads.authenticated_upload` parses on a worker
thread *before* the request's database session opens (on SQLite every transaction holds the
write lock, so parsing inside it would stall all writers).

API::

    table = read_table(content, filename="x.xlsx", limits=UPLOAD_LIMITS)   # CSV or first sheet
    sheets = read_workbook(content, limits=...)   # {title: Sheet(title, rows)} every sheet
    # rows: list[(row number as the user sees it, [cell text, ...])], header row included
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from gridgov.kit.errors import BadRequest

T = TypeVar("T")
Row = tuple[int, list[str]]


class FileRejected(BadRequest):
    code = "file_rejected"


@dataclass(frozen=True)
class FileLimits:
    max_uncompressed_bytes: int = 48 * 1024 * 1024
    max_rows: int = 100_000
    max_columns: int = 200
    max_cells: int = 2_000_000
    max_field_chars: int = 128 * 1024


# Web and API uploads (the request body is at most a few MB anyway).
UPLOAD_LIMITS = FileLimits()
# The command line loads whole cities (800 k residents) from a file the operator chose.
COMMAND_LINE_LIMITS = FileLimits(
    max_uncompressed_bytes=4 * 1024**3, max_rows=5_000_000, max_cells=200_000_000
)


@dataclass
class Sheet:
    title: str
    rows: list[Row]


def _reject(zh: str, en: str, **details: Any) -> FileRejected:
    return FileRejected(f"文件无法读取：{zh}", f"The file cannot be read: {en}", **details)


# -- text -------------------------------------------------------------------------------------
def decode_text(content: bytes) -> str:
    """UTF-8 (BOM or not), else GB18030 (what Chinese Excel writes); else a clear refusal."""
    if b"\x00" in content:
        raise _reject("含有 NUL 字符（不是文本文件？）", "it contains NUL bytes (not a text file?)")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _reject("编码既不是 UTF-8 也不是 GB18030", "the encoding is neither UTF-8 nor GB18030")


def read_csv(content: bytes, *, limits: FileLimits = UPLOAD_LIMITS) -> list[Row]:
    return list(iter_csv(content, limits=limits))


def iter_csv(content: bytes, *, limits: FileLimits = UPLOAD_LIMITS) -> Iterator[Row]:
    text = decode_text(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = cells = 0
    try:
        for values in reader:
            number = reader.line_num
            _check_row(number, values, limits)
            rows += 1
            cells += len(values)
            _check_size(rows, cells, limits)
            yield number, [v.strip() for v in values]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # csv's own limit is 128 KB too
            raise _field_too_long(reader.line_num, limits) from None
        raise _reject(
            f"第 {reader.line_num} 行格式错误", f"bad CSV at line {reader.line_num} ({exc})"
        ) from None


# -- workbooks --------------------------------------------------------------------------------
def check_zip(content: bytes, *, limits: FileLimits = UPLOAD_LIMITS) -> None:
    """Inspect the zip directory only: is it a workbook, and how big would it inflate?"""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise _reject("不是 Excel (.xlsx) 文件", "it is not an Excel (.xlsx) workbook")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _reject("压缩包已损坏", "the zip archive is damaged") from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise _reject("压缩包中没有 Excel 工作簿", "the zip holds no Excel workbook")
    inflated = sum(m.file_size for m in members)
    if inflated > limits.max_uncompressed_bytes:
        raise _reject(
            f"解压后 {inflated // 1024**2} MB，超过上限 "
            f"{limits.max_uncompressed_bytes // 1024**2} MB",
            f"it inflates to {inflated // 1024**2} MB, over the limit of "
            f"{limits.max_uncompressed_bytes // 1024**2} MB",
        )


def read_workbook(
    content: bytes, *, limits: FileLimits = UPLOAD_LIMITS, first_sheet_only: bool = False
) -> dict[str, Sheet]:
    """Every sheet's rows as text (dates ISO, whole floats as integers), limits enforced."""
    sheets: dict[str, Sheet] = {}
    for title, row in _iter_workbook(content, limits, first_sheet_only=first_sheet_only):
        sheets.setdefault(title, Sheet(title, [])).rows.append(row)
    return sheets


def _iter_workbook(
    content: bytes, limits: FileLimits, *, first_sheet_only: bool
) -> Iterator[tuple[str, Row]]:
    check_zip(content, limits=limits)
    # lazy: openpyxl (~0.5 s) loads only when a workbook is read or written, not at every start
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl/zipfile/XML raise many kinds for a damaged workbook
        raise _reject("Excel 工作簿已损坏", "the Excel workbook is damaged") from None
    rows = cells = 0
    try:
        for worksheet in workbook.worksheets[:1] if first_sheet_only else workbook.worksheets:
            # A declared dimension of A1:XFD1048576 must not become 17 G padding cells: ignore
            # it (rows then hold only their own cells) and stop one row past the limit.
            worksheet.reset_dimensions()
            values_by_row = worksheet.iter_rows(max_row=limits.max_rows + 1, values_only=True)
            for number, values in enumerate(values_by_row, start=1):
                texts = [cell_text(v) for v in values]
                while texts and not texts[-1]:
                    texts.pop()
                if len(texts) > limits.max_columns:
                    raise _reject(
                        f"第 {number} 行超过 {limits.max_columns} 列上限",
                        f"row {number} has more than {limits.max_columns} columns (the limit)",
                        row=number,
                    )
                rows += 1
                cells += len(texts)
                _check_size(rows, cells, limits)
                _check_row(number, texts, limits)
                if texts:
                    yield worksheet.title, (number, texts)
    except FileRejected:
        raise
    except Exception:
        raise _reject("Excel 工作簿已损坏", "the Excel workbook is damaged") from None
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_size(rows: int, cells: int, limits: FileLimits) -> None:
    if rows > limits.max_rows:
        raise _reject(
            f"超过 {limits.max_rows} 行上限", f"more than {limits.max_rows} rows (the limit)"
        )
    if cells > limits.max_cells:
        raise _reject(
            f"超过 {limits.max_cells} 个单元格上限",
            f"more than {limits.max_cells} cells (the limit)",
        )


def _check_row(number: int, values: list[str], limits: FileLimits) -> None:
    for value in values:
        if len(value) > limits.max_field_chars:
            raise _field_too_long(number, limits)
        if "\x00" in value:
            raise _reject(
                f"第 {number} 行含有 NUL 字符", f"row {number} contains a NUL character", row=number
            )


def _field_too_long(number: int, limits: FileLimits) -> FileRejected:
    return _reject(
        f"第 {number} 行有超过 {limits.max_field_chars // 1024} KB 的单元格",
        f"row {number} has a field over {limits.max_field_chars // 1024} KB",
        row=number,
    )


def is_workbook_name(filename: str | None) -> bool:
    return (filename or "").lower().endswith((".xlsx", ".xlsm"))


def read_table(
    content: bytes, *, filename: str | None, limits: FileLimits = UPLOAD_LIMITS
) -> list[Row]:
    """A CSV file or the first sheet of a workbook (chosen by the file name), header included."""
    return list(iter_table(content, filename=filename, limits=limits))


def iter_table(
    content: bytes, *, filename: str | None, limits: FileLimits = UPLOAD_LIMITS
) -> Iterator[Row]:
    """:func:`read_table` one row at a time (the command line's big files)."""
    if is_workbook_name(filename) or content[:4] == b"PK\x03\x04":
        for _title, row in _iter_workbook(content, limits, first_sheet_only=True):
            yield row
    else:
        yield from iter_csv(content, limits=limits)
