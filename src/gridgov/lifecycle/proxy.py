"""Proxy services (代办): the worker opens one for a resident, records the documents received,
hands it over to the handling department, and the department confirms the result. Each has a
deadline in working days on the calendar; an open one past it is overdue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import PROXY_HANDLERS
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, Role
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.lifecycle import rulebook
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.lifecycle.rules import ServiceType
from gridgov.models.lifecycle import ProxyService
from gridgov.workcal.calendar import MINUTES_PER_WORKING_DAY
from gridgov.workcal.service import current_calendar

OPEN = ("open", "handed_over")
# Who carries a service for residents: the grid's worker and community/street staff.
HANDLERS = PROXY_HANDLERS


class ServiceNotFound(NotFound):
    code = "proxy_service_not_found"


def catalogue(session: Session) -> dict[str, ServiceType]:
    return rulebook.current(session).services


def service_type(session: Session, code: str) -> ServiceType:
    found = catalogue(session).get(code)
    if found is None:
        raise BadRequest(f"未知的代办事项「{code}」", f"Unknown service {code!r}", field="code")
    return found


def due_after(session: Session, start: datetime, working_days: int) -> datetime:
    return (
        current_calendar(session)
        .add_working_minutes(start, working_days * MINUTES_PER_WORKING_DAY)
        .at
    )


def open_service(
    session: Session,
    *,
    principal: Principal,
    code: str,
    person_id: int,
    grid_code: str,
    event_id: int | None = None,
    task_id: int | None = None,
    known: Sequence[ProxyService] | None = None,
    flush: bool = True,
) -> ProxyService:
    """Open a service for a person (idempotent: an open one of the same kind is returned).

    For a batch of events: ``known`` are the person's open services of this kind as the batch
    knows them (no query), and ``flush=False`` leaves the new row to the batch's flush, after
    which the batch puts it in the trail (:func:`record_opened`)."""
    kind = service_type(session, code)
    existing = (
        known if known is not None else LifecycleRepository(session).open_services(person_id, code)
    )
    if existing:
        return existing[0]
    now = utcnow()
    row = ProxyService(
        service_code=code,
        person_id=person_id,
        grid_code=grid_code,
        department_code=kind.department,
        state="open",
        due_at=due_after(session, now, kind.deadline_working_days),
        documents=[],
        event_id=event_id,
        task_id=task_id,
        opened_by=principal.user_id or None,
    )
    session.add(row)
    if flush:
        session.flush()
        record_opened(session, principal, row)
    return row


def record_opened(session: Session, principal: Principal, *rows: ProxyService) -> None:
    """The opening of (flushed) services in the trail."""
    trail.record_many(
        session,
        principal=principal,
        entries=[
            trail.Entry(
                "proxy_service.open",
                "proxy_service",
                row.id,
                after={
                    "code": row.service_code,
                    "person_id": row.person_id,
                    "due_at": row.due_at.isoformat(),
                },
            )
            for row in rows
        ],
    )


def get_readable(session: Session, *, principal: Principal, service_id: int) -> ProxyService:
    row = session.scalars(
        LifecycleRepository(session)
        .readable_services(principal)
        .where(ProxyService.id == service_id)
    ).first()
    if row is None:
        raise ServiceNotFound("代办事项不存在或无权查看", "Service not found or not yours")
    return row


def list_readable(
    session: Session,
    *,
    principal: Principal,
    states: tuple[str, ...] = OPEN,
    person_id: int | None = None,
    overdue_only: bool = False,
    limit: int = 500,
) -> list[ProxyService]:
    statement = LifecycleRepository(session).readable_services(principal)
    if states:
        statement = statement.where(ProxyService.state.in_(list(states)))
    if person_id is not None:
        statement = statement.where(ProxyService.person_id == person_id)
    if overdue_only:
        statement = statement.where(
            ProxyService.state.in_(list(OPEN)), ProxyService.due_at < utcnow()
        )
    return list(session.scalars(statement.order_by(ProxyService.due_at).limit(limit)))


def is_overdue(row: ProxyService, now: datetime | None = None) -> bool:
    due = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=(now or utcnow()).tzinfo)
    return row.state in OPEN and due < (now or utcnow())


def _move(
    session: Session,
    principal: Principal,
    service_id: int,
    *,
    action: str,
    allowed_from: tuple[str, ...],
    roles: frozenset[Role],
) -> tuple[ProxyService, dict[str, Any]]:
    if principal.role not in roles and not principal.system:
        raise Forbidden("无权办理此代办事项", "You may not handle this service")
    row = get_readable(session, principal=principal, service_id=service_id)
    if row.state not in allowed_from:
        raise Conflict(f"代办事项当前状态为「{row.state}」", f"The service is {row.state}")
    return row, {"state": row.state, "documents": list(row.documents)}


def record_documents(
    session: Session, *, principal: Principal, service_id: int, documents: list[str]
) -> ProxyService:
    row, before = _move(
        session,
        principal,
        service_id,
        action="documents",
        allowed_from=("open",),
        roles=HANDLERS,
    )
    row.documents = sorted({*row.documents, *(d.strip()[:50] for d in documents if d.strip())})
    trail.record(
        session,
        action="proxy_service.documents",
        object_type="proxy_service",
        object_id=row.id,
        principal=principal,
        before=before,
        after={"documents": row.documents},
    )
    return row


def hand_over(session: Session, *, principal: Principal, service_id: int) -> ProxyService:
    row, before = _move(
        session, principal, service_id, action="hand_over", allowed_from=("open",), roles=HANDLERS
    )
    row.state = "handed_over"
    row.handed_over_at = utcnow()
    trail.record(
        session,
        action="proxy_service.hand_over",
        object_type="proxy_service",
        object_id=row.id,
        principal=principal,
        before=before,
        after={"state": row.state},
    )
    return row


def confirm(
    session: Session, *, principal: Principal, service_id: int, done: bool, result: str
) -> ProxyService:
    """The handling department's answer (or the system's, when a record proves it done)."""
    row, before = _move(
        session,
        principal,
        service_id,
        action="confirm",
        allowed_from=OPEN,
        roles=DEPARTMENT_ROLES,
    )
    if principal.role in DEPARTMENT_ROLES and principal.department_code != row.department_code:
        raise Forbidden("此事项不由本部门办理", "Your department does not handle this service")
    return close(
        session,
        principal=principal,
        row=row,
        state="done" if done else "rejected",
        result=result,
        before=before,
    )


def close(
    session: Session,
    *,
    principal: Principal,
    row: ProxyService,
    state: str,
    result: str,
    before: dict[str, Any] | None = None,
) -> ProxyService:
    before = before or {"state": row.state}
    row.state = state
    row.result = result[:200]
    row.closed_at = utcnow()
    trail.record(
        session,
        action=f"proxy_service.{state}",
        object_type="proxy_service",
        object_id=row.id,
        principal=principal,
        before=before,
        after={"state": state, "result": row.result},
    )
    return row


def counts(session: Session, *, principal: Principal) -> dict[str, int]:
    """Open, overdue and done services in the caller's scope (for evaluation)."""
    base = LifecycleRepository(session).readable_services(principal).subquery()
    rows = session.execute(select(base.c.state, func.count()).group_by(base.c.state))
    out = {state: int(n) for state, n in rows}
    overdue = session.scalar(
        select(func.count())
        .select_from(base)
        .where(base.c.state.in_(list(OPEN)), base.c.due_at < utcnow())
    )
    out["overdue"] = int(overdue or 0)
    return out
