"""Reading cases: detail, lists, timeline, public tracking; channel clients (keys)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz import policy
from gridgov.authz.principal import Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import deadlines
from gridgov.cases.intake import DUPLICATE_RADIUS_DEG, report_event
from gridgov.cases.repository import (
    CaseFilter,
    CaseRepository,
    CategoryRepository,
    ChannelClientRepository,
)
from gridgov.cases.schemas import (
    CaseDetail,
    CaseEventRead,
    CaseRead,
    CategoryRead,
    CategoryUpdate,
    DepartmentRead,
)
from gridgov.cases.states import State, offered_moves
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.kit.db import after_commit
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from gridgov.kit.pagination import PageParams, paginate
from gridgov.media.repository import MediaRepository
from gridgov.models.case import Case, ChannelClient


def to_read(
    session: Session, case: Case, *, principal: Principal, now: datetime | None = None
) -> CaseRead:
    ref = cat.reference(session)
    read = CaseRead.model_validate(case)
    category = ref.categories.get(case.category_code or "")
    read.category_name = category.name if category else None
    department = ref.departments.get(case.department_code or "")
    read.department_name = department[0] if department else None
    status = deadlines.status(case, now or utcnow())
    read.deadline_status = str(status) if status else None
    read.moves = list(
        offered_moves(
            principal.role,
            State(case.state),
            pending_request=case.pending_request,
            extension_requested=bool(case.extension_minutes_requested),
        )
    )
    return read


def get_detail(session: Session, *, principal: Principal, case_id: int) -> CaseDetail:
    repo = CaseRepository(session)
    case = repo.get_readable(principal, case_id)
    if case is None:
        raise NotFound("案件不存在或无权查看", "Case not found or not visible to you")
    read = to_read(session, case, principal=principal)
    detail = CaseDetail(**read.model_dump())
    events = [report_event(case), *repo.events(case.id)]
    detail.events = [CaseEventRead.model_validate(e) for e in events]
    detail.photo_ids = [m.id for m in MediaRepository(session).for_case(case.id)]
    return detail


def get_case(session: Session, *, principal: Principal, case_id: int) -> Case:
    case = CaseRepository(session).get_readable(principal, case_id)
    if case is None:
        raise NotFound("案件不存在或无权查看", "Case not found or not visible to you")
    return case


def reporter_phone(
    session: Session, *, principal: Principal, case_id: int, purpose: str
) -> str | None:
    """The reporter's full phone number, to call back: the centre and the handling department,
    with a purpose, in the trail (who looked at whose number, when, why)."""
    case = get_case(session, principal=principal, case_id=case_id)
    return policy.reveal(
        session,
        principal=principal,
        roles=policy.REPORTER_PHONE_ROLES,
        field="phone",
        value=crypto.decrypt(case.reporter_phone_enc) if case.reporter_phone_enc else None,
        object_type="case",
        object_id=case.id,
        purpose=purpose,
    )


def list_cases(
    session: Session, *, principal: Principal, filters: CaseFilter, page: PageParams
) -> tuple[list[CaseRead], int]:
    filters.now = filters.now or utcnow()
    stmt = CaseRepository(session).filtered(principal, filters)
    rows, total = paginate(session, stmt, page)
    return [to_read(session, c, principal=principal, now=filters.now) for c in rows], total


def overdue_ids(session: Session, *, now: datetime | None = None) -> list[int]:
    """The overdue set of the whole city (computed from the running clocks)."""
    return CaseRepository(session).overdue_ids(now or utcnow())


def duplicates(
    session: Session, *, principal: Principal, category_code: str, lng: float, lat: float
) -> list[Any]:
    """Open cases of the category near a point, among those the principal may read."""
    cat.selectable_category(session, category_code)
    return CaseRepository(session).duplicates(
        category_code=category_code,
        lng=lng,
        lat=lat,
        radius_deg=DUPLICATE_RADIUS_DEG,
        principal=principal,
    )


@dataclass(frozen=True)
class PublicCase:
    """A case as anyone with its tracking number sees it: free text with ID and phone numbers
    masked (the stored note stays intact for the staff)."""

    id: int
    number: str
    state: str
    status_note: str | None
    category_code: str | None
    reported_at: datetime


def public_status(session: Session, *, number: str) -> tuple[PublicCase, list]:
    """What a reporter may see with the tracking number: state and the public timeline."""
    repo = CaseRepository(session)
    case = repo.by_number(number.strip().upper())
    if case is None:
        raise NotFound("未找到该受理编号", "No case with this tracking number")
    public = PublicCase(
        id=case.id,
        number=case.number,
        state=case.state,
        status_note=crypto.mask_free_text(case.status_note) if case.status_note else None,
        category_code=case.category_code,
        reported_at=case.reported_at,
    )
    return public, [report_event(case), *repo.public_events([case.id])]


# --- reference data -----------------------------------------------------------------------


def list_categories(session: Session) -> list[CategoryRead]:
    return [
        CategoryRead.model_validate(c)
        for c in cat.reference(session).categories.values()
        if c.active
    ]


def list_departments(session: Session) -> list[DepartmentRead]:
    return [
        DepartmentRead(code=code, name=name, name_en=name_en)
        for code, (name, name_en) in cat.reference(session).departments.items()
    ]


def update_category(
    session: Session, *, principal: Principal, code: str, data: CategoryUpdate
) -> CategoryRead:
    if principal.role != Role.SYSTEM_ADMIN:
        raise Forbidden(
            "只有系统管理员可以修改案件类别", "Only a system administrator may edit categories"
        )
    row = CategoryRepository(session).get(code)
    if row is None:
        raise NotFound("案件类别不存在", "Unknown case category")
    changes = data.model_dump(exclude_unset=True)
    if changes.get("department_code") and not cat.department_exists(
        session, changes["department_code"]
    ):
        raise BadRequest("部门不存在", "Unknown department", field="department_code")
    before = {k: getattr(row, k) for k in changes}
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    trail.record(
        session,
        action="case_category.update",
        object_type="case_category",
        object_id=code,
        principal=principal,
        before=before,
        after=changes,
    )
    cat.clear_cache()
    after_commit(session, cat.clear_cache)
    # Not through list_categories: a category just switched off is not listed there.
    return CategoryRead.model_validate(cat.reference(session).categories[code])


# --- channel clients (Open311 apps, SMS and e-mail gateways) -------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def add_client(
    session: Session, *, name: str, kind: str, created_by: str | None = None
) -> tuple[ChannelClient, str]:
    """Register an Open311 app or a gateway; returns the client and its key (shown once)."""
    if kind not in ("open311", "sms", "email"):
        raise BadRequest("渠道类型须为 open311、sms 或 email", "Kind must be open311, sms or email")
    key = f"{kind}_{secrets.token_urlsafe(24)}"
    client = ChannelClientRepository(session).add(
        ChannelClient(name=name[:100], kind=kind, key_hash=_hash_key(key), created_by=created_by)
    )
    trail.record(
        session,
        action="channel_client.create",
        object_type="channel_client",
        object_id=client.id,
        after={"name": name, "kind": kind},
        note=f"by {created_by}",
    )
    return client, key


def authenticate_client(session: Session, *, key: str | None, kind: str) -> ChannelClient:
    if not key:
        raise Unauthorized("缺少 API 密钥", "API key missing")
    client = ChannelClientRepository(session).by_key_hash(_hash_key(key))
    if client is None or client.kind != kind:
        raise Forbidden("API 密钥无效", "Invalid API key")
    return client


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def replayed_case(
    session: Session, *, principal: Principal, idempotency: tuple[str, str]
) -> Case | None:
    """The case an earlier request with this Idempotency-Key made (None: the key is new); the
    same key with another body is refused. Keys are the user's own (``<user id>:<key>``)."""
    key, digest = idempotency
    case = CaseRepository(session).by_idempotency_key(key)
    if case is not None and case.idempotency_hash != digest:
        raise Conflict(
            "该幂等键已用于不同的内容", "This Idempotency-Key was used with a different body"
        )
    return case
