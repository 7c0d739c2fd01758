"""Department sources and reconciliation (数据比对): pages.

The review queue (community/street/district staff in their area, the data office city-wide),
one pair side by side with the differences marked and the weights, decided with the keyboard;
findings; the registry with mapping upload and file upload; the quality report (page + Excel).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.auth.uploads import Upload, authenticated_upload
from gridgov.authz.policy import SOURCE_ADMINS, SOURCE_REVIEWERS
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal
from gridgov.kit.db import request_session
from gridgov.kit.files import UPLOAD_LIMITS
from gridgov.models.source import PersonMerge
from gridgov.sources import (
    explain,
    findings,
    merges,
    quality,
    review,
    service,
)
from gridgov.sources.files import read_department_file
from gridgov.sources.repository import SourceRepository
from gridgov.web.i18n import N_, label, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
DB = Annotated[Session, Depends(request_session, scope="function")]
FINDING_READERS = SOURCE_REVIEWERS | DEPARTMENT_ROLES
Reviewer = Annotated[Principal, Depends(page_roles(*SOURCE_REVIEWERS))]
FindingReader = Annotated[Principal, Depends(page_roles(*FINDING_READERS))]
Admin = Annotated[Principal, Depends(page_roles(*SOURCE_ADMINS))]
CSRF = [Depends(csrf_protect)]

add_nav(N_("数据比对"), "/sources/review", set(SOURCE_REVIEWERS))
add_nav(N_("数据来源"), "/sources", set(SOURCE_ADMINS))


@router.get("/sources/review", response_class=HTMLResponse)
def queue_page(request: Request, session: DB, principal: Reviewer) -> HTMLResponse:
    links = review.queue(session, principal=principal, limit=100)
    names = {s.id: s.title for s in SourceRepository(session).list_sources()}
    proposals = [
        (merge, explain.keyed(merge.explanation))
        for merge in session.scalars(
            SourceRepository(session)
            .readable_merges(principal)
            .where(PersonMerge.status == "proposed")
            .limit(50)
        )
    ]
    return render(
        request,
        "sources/queue.html",
        principal=principal,
        links=links,
        names=names,
        waiting=review.queue_size(session, principal=principal),
        proposals=proposals,
    )


@router.post("/sources/merges/{merge_id}", dependencies=CSRF)
def merge_page(
    merge_id: int,
    session: DB,
    principal: Reviewer,
    verdict: Annotated[str, Form(max_length=16)],
) -> RedirectResponse:
    merges.decide(session, principal=principal, merge_id=merge_id, verdict=verdict)
    return RedirectResponse("/sources/review", status_code=303)


@router.get("/sources/review/{link_id}", response_class=HTMLResponse)
def pair_page(request: Request, link_id: int, session: DB, principal: Reviewer) -> HTMLResponse:
    pair = review.pair(session, principal=principal, link_id=link_id, waiting_only=False)
    following = [link.id for link in review.queue(session, principal=principal, limit=2)]
    next_id = next((i for i in following if i != link_id), None)
    return render(request, "sources/pair.html", principal=principal, pair=pair, next_id=next_id)


@router.post("/sources/review/{link_id}", dependencies=CSRF)
def decide_page(
    link_id: int,
    session: DB,
    principal: Reviewer,
    verdict: Annotated[str, Form(max_length=16)],
) -> RedirectResponse:
    review.decide(session, principal=principal, link_id=link_id, verdict=verdict)
    following = review.queue(session, principal=principal, limit=1)
    target = f"/sources/review/{following[0].id}" if following else "/sources/review"
    return RedirectResponse(target, status_code=303)


@router.get("/sources/findings", response_class=HTMLResponse)
def findings_page(
    request: Request,
    session: DB,
    principal: FindingReader,
    status: Literal["open", "closed", "all"] = "open",
) -> HTMLResponse:
    rows = session.scalars(
        SourceRepository(session).findings_statement(principal, status=status).limit(200)
    ).all()
    names = {s.id: s.title for s in SourceRepository(session).list_sources()}
    return render(
        request,
        "sources/findings.html",
        principal=principal,
        findings=rows,
        names=names,
        status=status,
    )


@router.post("/sources/findings/{finding_id}/close", dependencies=CSRF)
def close_finding_page(
    finding_id: int,
    session: DB,
    principal: FindingReader,
    reason: Annotated[str, Form(min_length=2, max_length=200)],
) -> RedirectResponse:
    findings.close(session, principal=principal, finding_id=finding_id, reason=reason)
    return RedirectResponse("/sources/findings", status_code=303)


@router.get("/sources", response_class=HTMLResponse)
def registry_page(request: Request, session: DB, principal: Admin) -> HTMLResponse:
    return _registry(request, session, principal)


def _registry(
    request: Request, session: Session, principal: Principal, **extra: Any
) -> HTMLResponse:
    repository = SourceRepository(session)
    sources = [(s, repository.count_current(s.id)) for s in repository.list_sources()]
    return render(request, "sources/registry.html", principal=principal, sources=sources, **extra)


@router.post("/sources/add", dependencies=CSRF, response_class=HTMLResponse)
def add_page(
    request: Request,
    session: DB,
    principal: Admin,
    name: Annotated[str, Form(min_length=2, max_length=64, pattern=r"^[a-z0-9_]+$")],
    mapping: Annotated[str, Form(max_length=50_000)],
) -> HTMLResponse:
    source, key = service.add_source(
        session, principal=principal, name=name, mapping_text=mapping, department=None
    )
    return _registry(request, session, principal, new_key=key, new_source=source.name)


Rows = list[tuple[int, dict[str, str]]]


def _read_upload(content: bytes, filename: str) -> tuple[list[str], Rows]:
    """The whole file read (bounded by UPLOAD_LIMITS) before the request's transaction begins:
    on SQLite that transaction holds the write lock, which a 35 s parse held before."""
    header, rows = read_department_file(content, filename=filename, limits=UPLOAD_LIMITS)
    return header, list(rows)


DepartmentFile = Annotated[
    Upload[tuple[list[str], Rows]],
    Depends(authenticated_upload(_read_upload, roles=SOURCE_ADMINS)),
]


@router.post("/sources/{name}/upload", dependencies=CSRF, response_class=HTMLResponse)
def upload_page(
    request: Request,
    name: str,
    upload: DepartmentFile,  # first: read before the request's session begins
    session: DB,
    principal: Admin,
) -> HTMLResponse:
    source = SourceRepository(session).source_by_name(name)
    header, rows = upload.parsed
    load = service.load_rows(
        session, principal=principal, source=source, rows=rows, channel="upload",
        filename=upload.filename, header=header,
    )  # fmt: skip
    return _registry(request, session, principal, load=load, loaded_source=source.title)


@router.get("/sources/{name}/quality", response_class=HTMLResponse)
def quality_page(request: Request, name: str, session: DB, principal: Admin) -> HTMLResponse:
    return render(
        request,
        "sources/quality.html",
        principal=principal,
        report=quality.report(session, source_name=name),
    )


@router.get("/sources/{name}/quality.xlsx")
def quality_excel(
    request: Request, name: str, session: DB, principal: Admin, background: BackgroundTasks
) -> FileResponse:
    report = quality.report(session, source_name=name)
    language = request_language(request)
    keys = ("loads", "when", "who", "received", "new", "changed", "unchanged", "rejected",
            "id_problems", "decisions", "match_rate", "findings")  # fmt: skip
    labels = {k: label(language, "sources", k) for k in keys}
    labels.update(
        {f"decision.{d}": label(language, "sources.decision", d) for d in report.decisions}
    )
    labels.update({f"finding.{k}": label(language, "sources.finding", k) for k in report.findings})
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as handle:
        path = Path(handle.name)
    quality.write_excel(report, path, labels)
    background.add_task(path.unlink, missing_ok=True)
    return FileResponse(path, filename=f"quality-{name}.xlsx")
