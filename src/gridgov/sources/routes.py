"""Department sources and reconciliation (数据比对): API.

Departments push with their source's API key (``X-API-Key``); staff review pairs and read
findings with their own sign-in, scoped like everything else."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Header
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import SOURCE_REVIEWERS
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, system_principal
from gridgov.kit.db import request_session
from gridgov.models.source import PersonMerge, SourceLink
from gridgov.sources import explain, merges, review, service
from gridgov.sources import findings as finding_service
from gridgov.sources.repository import SourceRepository
from gridgov.sources.schemas import (
    FindingClose,
    FindingRead,
    LinkRead,
    LoadRead,
    MergeRead,
    MergeVerdict,
    RecordBatch,
    Verdict,
)
from gridgov.web.i18n import request_language

router = APIRouter(prefix="/sources", tags=["sources"])
DB = Annotated[Session, Depends(request_session, scope="function")]
Reviewer = Annotated[Principal, Depends(require_roles(*SOURCE_REVIEWERS))]
# Findings are routed to departments too (an ID their register got wrong, a pension to the dead).
FindingReader = Annotated[Principal, Depends(require_roles(*(SOURCE_REVIEWERS | DEPARTMENT_ROLES)))]
# The caller's language (``?lang=``, the ``lang`` cookie, the deployment's default): the words
# beside the keys of an explanation.
Language = Annotated[str, Depends(request_language)]


def _explained(row: SourceLink | PersonMerge, language: str) -> dict[str, object]:
    """A decision's explanation: each entry's keys with their words in ``language``."""
    return {"explanation": explain.in_words(language, row.explanation)}


@router.post("/{name}/records", response_model=LoadRead)
def push_records(
    name: str,
    batch: RecordBatch,
    session: DB,
    x_api_key: Annotated[str | None, Header()] = None,
) -> LoadRead:
    """A batch of the department's records (at most 10,000); the department's record id is the
    idempotency key: the same record again changes nothing, a changed one is a new version."""
    source = service.source_for_key(session, name, x_api_key)
    load = service.push_records(
        session,
        principal=system_principal(f"source:{name}"),
        source=source,
        records=batch.records,
    )
    return LoadRead.model_validate(load)


@router.get("/review", response_model=list[LinkRead])
def review_queue(
    session: DB, principal: Reviewer, language: Language, limit: int = 50
) -> list[LinkRead]:
    """Pairs waiting for a person's decision, in the caller's area, most likely first."""
    links = review.queue(session, principal=principal, limit=min(limit, 500))
    return [_link_read(link, language) for link in links]


@router.get("/links/{link_id}", response_model=LinkRead)
def get_link(link_id: int, session: DB, principal: Reviewer, language: Language) -> LinkRead:
    """One decision, automatic or waiting for review, with its explanation (each comparison's
    key and level key, their words in the caller's language, the weight) and probability."""
    pair = review.pair(session, principal=principal, link_id=link_id, waiting_only=False)
    return _link_read(pair.link, language)


@router.post("/links/{link_id}/decision", response_model=LinkRead)
def decide(
    link_id: int, body: Verdict, session: DB, principal: Reviewer, language: Language
) -> LinkRead:
    link = review.decide(
        session, principal=principal, link_id=link_id, verdict=body.verdict, note=body.note
    )
    return _link_read(link, language)


def _link_read(link: SourceLink, language: str) -> LinkRead:
    return LinkRead.model_validate(link).model_copy(update=_explained(link, language))


@router.get("/findings", response_model=list[FindingRead])
def findings(
    session: DB,
    principal: FindingReader,
    kind: str | None = None,
    status: Literal["open", "closed", "all"] = "open",
) -> list[FindingRead]:
    """Findings in the caller's area or routed to the caller's department, newest first; closed
    ones (with who closed them and why) with ``status=closed`` or ``all``."""
    statement = SourceRepository(session).findings_statement(principal, status=status, kind=kind)
    rows = session.scalars(statement.limit(500))
    return [FindingRead.model_validate(f) for f in rows]


@router.post("/findings/{finding_id}/close", response_model=FindingRead)
def close_finding(
    finding_id: int, body: FindingClose, session: DB, principal: FindingReader
) -> FindingRead:
    """Close an open finding with the reason; it stays in the history, and a later run does not
    write it again unless the data behind it changed."""
    finding = finding_service.close(
        session, principal=principal, finding_id=finding_id, reason=body.reason
    )
    return FindingRead.model_validate(finding)


@router.get("/merges", response_model=list[MergeRead])
def merge_proposals(session: DB, principal: Reviewer, language: Language) -> list[MergeRead]:
    """Duplicate persons of the base proposed for merge, in the caller's area."""
    rows = session.scalars(
        SourceRepository(session)
        .readable_merges(principal)
        .where(PersonMerge.status == "proposed")
        .limit(500)
    )
    return [_merge_read(m, language) for m in rows]


@router.post("/merges/{merge_id}/decision", response_model=MergeRead)
def decide_merge(
    merge_id: int, body: MergeVerdict, session: DB, principal: Reviewer, language: Language
) -> MergeRead:
    merge = merges.decide(session, principal=principal, merge_id=merge_id, verdict=body.verdict)
    return _merge_read(merge, language)


def _merge_read(merge: PersonMerge, language: str) -> MergeRead:
    return MergeRead.model_validate(merge).model_copy(update=_explained(merge, language))
