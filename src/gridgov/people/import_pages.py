"""The person import pages (issue 10): download the template, upload a file to check it (kept
on the server), review the report, download the rejected rows as an Excel file with the reason
per row, then import the valid rows — or discard — without choosing the file again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect, set_csrf_cookie
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal
from gridgov.kit.db import request_session
from gridgov.people import import_files, staging
from gridgov.people.auth import IMPORT_ROLES
from gridgov.people.import_files import PersonUpload, workbook
from gridgov.people.importer import COLUMNS
from gridgov.web.forms import attempt
from gridgov.web.i18n import gettext, request_language
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Importer = Annotated[Principal, Depends(page_roles(*IMPORT_ROLES))]
ImportId = Annotated[int, Path(ge=1)]
ERRORS_SHOWN = 1000


@router.get("/people/import", response_class=HTMLResponse)
def import_form(request: Request, principal: Importer) -> HTMLResponse:
    language = request_language(request)
    response = render(
        request,
        "people/import.html",
        principal=principal,
        page_title=gettext(language, "批量导入"),
        headers=[import_files.header(f, language) for f in COLUMNS],
        staged=None,
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/people/import/template.xlsx")
def import_template(request: Request, principal: Importer) -> Response:
    return workbook(import_files.template(request_language(request)), "persons-template.xlsx")


@router.post("/people/import", dependencies=[Depends(csrf_protect)])
def import_upload(
    upload: PersonUpload,  # first: the file is parsed before the request's session begins
    session: DbSession,
    principal: Importer,
    reason: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Check the file and keep it on the server; the report page offers commit and discard."""
    staged = staging.stage_upload(session, principal=principal, upload=upload, reason=reason)
    return RedirectResponse(f"/people/import/{staged.id}", status_code=303)


def _report_page(
    request: Request,
    session: Session,
    principal: Principal,
    import_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = request_language(request)
    staged = staging.get_own(session, principal=principal, import_id=import_id)
    response = render(
        request,
        "people/import.html",
        status_code=status_code,
        principal=principal,
        page_title=gettext(language, "批量导入"),
        headers=[import_files.header(f, language) for f in COLUMNS],
        staged=staged,
        errors=staged.errors[:ERRORS_SHOWN],
        error=error,
    )
    set_csrf_cookie(request, response)
    return response


@router.get("/people/import/{import_id}", response_class=HTMLResponse)
def import_report(
    request: Request, import_id: ImportId, session: DbSession, principal: Importer
) -> HTMLResponse:
    return _report_page(request, session, principal, import_id)


@router.get("/people/import/{import_id}/errors.xlsx")
def import_errors(
    request: Request, import_id: ImportId, session: DbSession, principal: Importer
) -> Response:
    staged, rows = staging.bad_rows(session, principal=principal, import_id=import_id)
    content = import_files.errors(rows, request_language(request))
    return workbook(content, f"import-{staged.id}-errors.xlsx")


@router.post(
    "/people/import/{import_id}/{decision}",
    response_class=HTMLResponse,
    dependencies=[Depends(csrf_protect)],
)
def import_decide(
    request: Request,
    import_id: ImportId,
    decision: Annotated[str, Path(pattern="^(commit|discard)$")],
    session: DbSession,
    principal: Importer,
) -> Response:
    """Import the valid rows, or discard the import (both only while it waits)."""
    decide = staging.import_checked if decision == "commit" else staging.discard
    with attempt(session) as tried:
        decide(session, principal=principal, import_id=import_id)
    if tried.error:
        return _report_page(
            request,
            session,
            principal,
            import_id,
            error=tried.message(request),
            status_code=tried.error.status_code,
        )
    return RedirectResponse(f"/people/import/{import_id}", status_code=303)
