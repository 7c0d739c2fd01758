"""The person import API (issue 10): the template, a check that keeps the file on the server
under an import id, then commit or discard by id (no second upload), and the error file."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.auth.uploads import Upload, authenticated_upload
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.people import import_files, staging
from gridgov.people.auth import IMPORT_ROLES
from gridgov.people.importer import import_persons, parse_upload
from gridgov.web.i18n import request_language

router = APIRouter(tags=["population"])
SessionDep = Annotated[Session, Depends(request_session, scope="function")]
Importer = Annotated[Principal, Depends(require_roles(*IMPORT_ROLES))]
ImportId = Annotated[int, Path(ge=1)]
PersonUpload = Annotated[
    Upload[list[tuple[int, dict[str, str]]]],
    Depends(authenticated_upload(parse_upload, roles=IMPORT_ROLES)),
]
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid file, or nothing valid to import"},
    401: {"description": "Not signed in"},
    403: {"description": "Role not allowed"},
    404: {"description": "No such import of the caller's"},
    409: {"description": "The import was committed, discarded or has expired"},
}


def workbook(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type=import_files.XLSX,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/persons/import/template", responses=ERRORS)
def import_template(request: Request, principal: Importer) -> Response:
    """The Excel template: the headers the import reads and a sheet of notes, in the caller's
    language (``?lang=en``: English headers, which the import reads too)."""
    return workbook(import_files.template(request_language(request)), "persons-template.xlsx")


@router.post("/persons/import", responses=ERRORS)
def import_persons_file(
    upload: PersonUpload,  # first: the file is parsed before the request's session begins
    session: SessionDep,
    principal: Importer,
    commit: bool = False,
    reason: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    """Check every row. By default nothing is loaded: the rows are kept on the server for
    ``staging.KEEP`` under ``import_id`` (commit or discard it by id, download its error file).
    With ``commit=true`` the valid rows are loaded at once, in this request's transaction. Rows
    outside the caller's area are rejected. Big files: the CLI."""
    if commit:
        report = import_persons(
            session,
            principal=principal,
            rows=iter(upload.parsed),
            commit=True,
            reason=reason or f"上传导入 {upload.filename}",
        )
        return report.as_dict()
    staged = staging.stage_upload(session, principal=principal, upload=upload, reason=reason)
    return staging.as_dict(staged)


@router.get("/persons/imports/{import_id}", responses=ERRORS)
def get_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """A checked import of the caller's: its report and status."""
    return staging.as_dict(staging.get_own(session, principal=principal, import_id=import_id))


@router.post("/persons/imports/{import_id}/commit", responses=ERRORS)
def commit_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """Load the valid rows of a checked import (checked again against the base as it is now)."""
    staged = staging.commit(session, principal=principal, import_id=import_id)
    return staging.as_dict(staged)


@router.delete("/persons/imports/{import_id}", responses=ERRORS)
def discard_import(import_id: ImportId, session: SessionDep, principal: Importer) -> dict[str, Any]:
    """Drop a checked import without loading anything."""
    return staging.as_dict(staging.discard(session, principal=principal, import_id=import_id))


@router.get("/persons/imports/{import_id}/errors.xlsx", responses=ERRORS)
def import_errors(
    request: Request, import_id: ImportId, session: SessionDep, principal: Importer
) -> Response:
    """The rejected rows as uploaded, with the row number and the reason per row, in the
    caller's language."""
    staged, rows = staging.bad_rows(session, principal=principal, import_id=import_id)
    content = import_files.errors(rows, request_language(request))
    return workbook(content, f"import-{staged.id}-errors.xlsx")
