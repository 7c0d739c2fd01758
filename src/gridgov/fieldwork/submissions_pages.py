"""The supervisors' submissions browser (issue 10), as ODK Central or KoBo show collected forms:
every record the workers collected in the caller's area as a table and on a map, filtered by
module, worker, grid and date, one record opened, the selection exported as CSV or Excel.
Records hold personal data: opening one and exporting are written to the trail."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from openpyxl import Workbook
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import xlsform
from gridgov.kit.db import request_session
from gridgov.kit.errors import NotFound
from gridgov.models.field_module import FieldModule
from gridgov.models.field_submission import FieldSubmission
from gridgov.models.user import User
from gridgov.web.i18n import N_, label, pick, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render
from gridgov.workcal.calendar import CST

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(request_session, scope="function")]
# Those who supervise workers' collection (the administrators see no personal data).
BROWSER_ROLES = (
    Role.COMMUNITY_STAFF,
    Role.STREET_STAFF,
    Role.DISTRICT_STAFF,
    Role.LEADER,
    Role.SHIFT_LEADER,
)
Browser = Annotated[Principal, Depends(page_roles(*BROWSER_ROLES))]
PAGE = 200
EXPORT_LIMIT = 50_000

add_nav(N_("采集记录"), "/field/submissions", set(BROWSER_ROLES))


def _filtered(
    principal: Principal,
    *,
    module: str,
    worker: int | None,
    grid: str,
    start: date | None,
    end: date | None,
) -> Select[FieldSubmission, str, str | None]:
    stmt = (
        select(FieldSubmission, User.username, User.display_name)
        .join(User, User.id == FieldSubmission.user_id)
        .where(scope_clause(principal, grid_code=FieldSubmission.grid_code))
    )
    if module:
        stmt = stmt.where(FieldSubmission.module_code == module)
    if worker:
        stmt = stmt.where(FieldSubmission.user_id == worker)
    if grid:
        stmt = stmt.where(FieldSubmission.grid_code >= grid, FieldSubmission.grid_code < grid + ":")
    # Days are the city's days.
    if start:
        stmt = stmt.where(FieldSubmission.received_at >= datetime.combine(start, time(), CST))
    if end:
        until = datetime.combine(end + timedelta(days=1), time(), CST)
        stmt = stmt.where(FieldSubmission.received_at < until)
    return stmt.order_by(FieldSubmission.received_at.desc(), FieldSubmission.id.desc())


Filters = dict[str, Any]


def _filters(
    module: Annotated[str, Query(max_length=64)] = "",
    worker: int | None = None,
    grid: Annotated[str, Query(max_length=15, pattern=r"^[0-9]*$")] = "",
    start: date | None = None,
    end: date | None = None,
) -> Filters:
    """The filters of the list and its downloads (a dependency of the three routes)."""
    return {"module": module, "worker": worker, "grid": grid, "start": start, "end": end}


def _modules(session: Session, language: str) -> dict[str, str]:
    rows = session.execute(
        select(FieldModule.code, FieldModule.title, FieldModule.title_en).order_by(
            FieldModule.code, FieldModule.version
        )
    )
    return {code: pick(language, title, title_en) for code, title, title_en in rows}


def _workers(session: Session, principal: Principal) -> list[tuple[int, str]]:
    rows = session.execute(
        select(User.id, User.username, User.display_name)
        .where(User.role == Role.GRID_WORKER.value)
        .where(scope_clause(principal, grid_code=User.region_code))
        .order_by(User.username)
    )
    return [(uid, display or username) for uid, username, display in rows]


@router.get("/field/submissions", response_class=HTMLResponse)
def submissions_page(
    request: Request,
    principal: Browser,
    session: DB,
    filters: Annotated[Filters, Depends(_filters)],
) -> HTMLResponse:
    language = request_language(request)
    rows = session.execute(_filtered(principal, **filters).limit(PAGE)).all()
    query = str(request.url.query)
    return render(
        request,
        "field/submissions.html",
        principal=principal,
        rows=rows,
        filters=filters,
        modules=_modules(session, language),
        workers=_workers(session, principal),
        query=query,
        points=[
            {"id": s.id, "lat": s.lat, "lng": s.lng, "module": s.module_code or s.kind}
            for s, _, _ in rows
            if s.lat is not None and s.lng is not None
        ],
    )


@router.get("/field/submissions/{submission_id}", response_class=HTMLResponse)
def submission_page(
    request: Request,
    submission_id: Annotated[int, Path(ge=1)],
    principal: Browser,
    session: DB,
) -> HTMLResponse:
    row = session.execute(
        select(FieldSubmission, User.username, User.display_name)
        .join(User, User.id == FieldSubmission.user_id)
        .where(
            FieldSubmission.id == submission_id,
            scope_clause(principal, grid_code=FieldSubmission.grid_code),
        )
    ).first()
    if row is None:
        raise NotFound("采集记录不存在", "No such record")
    submission, username, display = row
    trail.record(
        session,
        action="field_submission.view",
        object_type="field_submission",
        object_id=submission.id,
        principal=principal,
    )
    return render(
        request,
        "field/submission.html",
        principal=principal,
        submission=submission,
        worker=display or username,
        modules=_modules(session, request_language(request)),
        fields=_fields(session, submission, request_language(request)),
    )


def _fields(session: Session, submission: FieldSubmission, language: str) -> list[tuple[str, Any]]:
    """The record's answers as the worker saw them: each question's label in the reader's
    language and a choice's label instead of its code; the phone's own records (reports, task
    results) in the catalogue's words. A key the form does not know stays as it is."""
    module = None
    if submission.module_code:
        module = session.scalar(
            select(FieldModule)
            .where(FieldModule.code == submission.module_code)
            .order_by((FieldModule.version == submission.module_version).desc())
            .order_by(FieldModule.version.desc())
            .limit(1)
        )
    code = "en" if language == "en" else "zh"
    labels: dict[str, str] = {}
    choices: dict[str, dict[str, str]] = {}
    for question in xlsform.questions(module.definition if module else {}):
        labels[question.name] = xlsform.text_in(question.node.get("label"), code)
        options = question.node.get("choices") or []
        choices[question.name] = {
            str(o.get("name")): xlsform.text_in(o.get("label"), code) for o in options
        }
    rows = []
    for key, value in sorted((submission.data or {}).items()):
        name = labels.get(key) or (key if module else label(language, "submissions.field", key))
        words = choices.get(key) or {}
        if key == "result" and not module:
            value = label(language, "submissions.result", value)
        elif isinstance(value, str) and value in words:
            value = words[value]
        rows.append((name, value))
    return rows


def _table(session: Session, principal: Principal, filters: Filters) -> list[list[Any]]:
    rows = session.execute(_filtered(principal, **filters).limit(EXPORT_LIMIT)).all()
    keys = sorted({key for s, _, _ in rows for key in (s.data or {})})
    head = ["id", "module", "worker", "grid", "collected_at", "received_at", "lng", "lat", *keys]
    table: list[list[Any]] = [head]
    for s, username, display in rows:
        data = s.data or {}
        table.append(
            [
                s.id,
                s.module_code or s.kind,
                display or username,
                s.grid_code,
                s.collected_at.astimezone(CST).isoformat() if s.collected_at else "",
                s.received_at.astimezone(CST).isoformat() if s.received_at else "",
                s.lng,
                s.lat,
                *(_cell(data.get(key)) for key in keys),
            ]
        )
    trail.record(
        session,
        action="field_submission.export",
        object_type="field_submission",
        object_id=None,
        principal=principal,
        after={"rows": len(table) - 1, **{k: str(v) for k, v in filters.items() if v}},
    )
    return table


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


@router.get("/field/submissions.csv")
def submissions_csv(
    principal: Browser,
    session: DB,
    filters: Annotated[Filters, Depends(_filters)],
) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(_table(session, principal, filters))
    # A byte-order mark so that Excel opens the Chinese text as UTF-8.
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="submissions.csv"'},
    )


@router.get("/field/submissions.xlsx")
def submissions_xlsx(
    principal: Browser,
    session: DB,
    filters: Annotated[Filters, Depends(_filters)],
) -> Response:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("submissions")
    for line in _table(session, principal, filters):
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="submissions.xlsx"'},
    )
