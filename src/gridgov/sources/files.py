"""Department files as rows: CSV and Excel through :mod:`gridgov.kit.files` (bounded, safe),
Parquet through pyarrow. Cells come back as text, so an ID number keeps its leading zeros."""

from __future__ import annotations

import io
from collections.abc import Iterator

from gridgov.kit.errors import BadRequest
from gridgov.kit.files import COMMAND_LINE_LIMITS, FileLimits, iter_table

Table = tuple[list[str], Iterator[tuple[int, dict[str, str]]]]


def read_department_file(
    content: bytes, *, filename: str, limits: FileLimits = COMMAND_LINE_LIMITS
) -> Table:
    """(header, rows as (row number as the user sees it, {column: text}))."""
    if filename.lower().endswith(".parquet") or content[:4] == b"PAR1":
        return _parquet(content, limits)
    rows = iter_table(content, filename=filename, limits=limits)
    first = next(rows, None)
    if first is None:
        raise BadRequest("文件是空的", "The file is empty")
    header = [h.strip() for h in first[1]]

    def body() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in rows:
            if any(v.strip() for v in values):
                yield number, dict(zip(header, values, strict=False))

    return header, body()


def _parquet(content: bytes, limits: FileLimits) -> Table:
    # lazy: pyarrow loads only to read or write a Parquet file
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(io.BytesIO(content))
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise BadRequest("Parquet 文件无法读取", f"Unreadable Parquet file: {exc}") from None
    if handle.metadata.num_rows > limits.max_rows:
        raise BadRequest("文件行数过多", "The file has too many rows")
    header = [str(n) for n in handle.schema_arrow.names]

    def body() -> Iterator[tuple[int, dict[str, str]]]:
        number = 1  # as in a spreadsheet: the header is row 1
        for batch in handle.iter_batches(batch_size=20_000):
            columns = [
                ["" if v is None else str(v) for v in column.to_pylist()]
                for column in batch.columns
            ]
            for values in zip(*columns, strict=True):
                number += 1
                yield number, dict(zip(header, values, strict=True))

    return header, body()
