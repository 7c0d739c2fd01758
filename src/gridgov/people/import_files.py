"""The workbooks of a person import, in the user's language (issue 10): the template to fill in
(the column headers the importer reads, and a sheet of notes: meaning, required, accepted
values) and the error file (the rejected rows as uploaded, with the row number and the reason
per row). Its headers are importable, so a corrected error file can be uploaded as it is."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from fastapi import Depends
from fastapi.responses import Response
from openpyxl import Workbook

from gridgov.auth.uploads import Upload, authenticated_upload
from gridgov.people import vocabulary  # noqa: F401  (the words of person_field)
from gridgov.people.auth import IMPORT_ROLES
from gridgov.people.importer import (
    COLUMNS,
    ID_TYPES,
    LIVING,
    RELATION_ZH,
    RESIDENCE,
    parse_upload,
)
from gridgov.people.schemas import RELATIONS
from gridgov.people.staging import BadRow
from gridgov.people.tags import TAGS
from gridgov.web.i18n import gettext, label, pick

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REQUIRED = ("id_number", "name", "grid_code")
# An uploaded person workbook (API and page): parsed, by an importer, before the request's
# session begins.
PersonUpload = Annotated[
    Upload[list[tuple[int, dict[str, str]]]],
    Depends(authenticated_upload(parse_upload, roles=IMPORT_ROLES)),
]


def workbook(content: bytes, filename: str) -> Response:
    """A workbook of the import (template, error file) as a download."""
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def header(field: str, language: str) -> str:
    """The column's header: the Chinese one, or in English the field name (both importable)."""
    return field if language == "en" else COLUMNS[field][0]


def _accepted(field: str, language: str) -> str:
    english = language == "en"
    values: dict[str, Iterable[str]] = {
        "sex": ("M", "F") if english else ("男", "女"),
        "id_type": ("resident_id", "passport", "permit") if english else ID_TYPES,
        "residence_type": ("registered", "floating", "foreign") if english else RESIDENCE,
        "living_status": ("alive", "deceased", "moved_away") if english else LIVING,
        "relation_to_head": RELATIONS if english else RELATION_ZH,
        "tags": TAGS if english else (zh for zh, _, _ in TAGS.values()),
        "birth_date": ("YYYY-MM-DD",),
        "moved_in_on": ("YYYY-MM-DD",),
        "grid_code": (gettext(language, "15 位网格编码"),),
    }
    return ", ".join(values.get(field, ())) if english else "、".join(values.get(field, ()))


def _book(sheets: Sequence[tuple[str, list[list[Any]]]]) -> bytes:
    book = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template(language: str) -> bytes:
    fields = list(COLUMNS)
    notes = [
        [gettext(language, "列名"), gettext(language, "含义"), gettext(language, "必填"),
         gettext(language, "可填写的值")],
        *(
            [header(f, language), label(language, "person_field", f),
             gettext(language, "是") if f in REQUIRED else "", _accepted(f, language)]
            for f in fields
        ),
    ]  # fmt: skip
    return _book(
        [
            (gettext(language, "人口"), [[header(f, language) for f in fields]]),
            (gettext(language, "说明"), notes),
        ]
    )


def errors(rows: Sequence[BadRow], language: str) -> bytes:
    """One line per rejected row: its number, its cells as uploaded, the reasons."""
    fields = [f for f in COLUMNS if any(f in r.cells for r in rows)] or list(REQUIRED)
    lines: list[list[Any]] = [
        [gettext(language, "行号"), *(header(f, language) for f in fields),
         gettext(language, "原因")],
    ]  # fmt: skip
    for bad in rows:
        reasons = "; ".join(
            (label(language, "person_field", e["field"]) + ": " if e.get("field") else "")
            + pick(language, e["message"], e.get("message_en"))
            for e in bad.errors
        )
        lines.append([bad.row, *(bad.cells.get(f, "") for f in fields), reasons])
    return _book([(gettext(language, "错误行"), lines)])
