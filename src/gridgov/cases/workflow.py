"""Moves of the case loop: check the rule table and the row rules, change the case, restart the
step clock, write one timeline line and one trail entry. Nothing changes when a check fails.

Other domains react to a move in the same transaction by registering a listener
(:func:`on_move`): the on-site verification task of a handled case is made by the feedback move
itself (gridgov.tasks.sources), so it exists exactly when the case waits for it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from gridgov.audit import trail
from gridgov.authz.policy import covers
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import deadlines
from gridgov.cases.intake import apply_amendment, clean_text
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import TransitionIn
from gridgov.cases.states import FINAL_STATES, RULES, Move, State, allowed
from gridgov.cases.vocabulary import working_time
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.media.repository import MediaRepository
from gridgov.models.case import Case, CaseEvent
from gridgov.workcal.calendar import WorkCalendar
from gridgov.workcal.service import current_calendar

MoveListener = Callable[[Session, Case, Move, Principal], None]
_LISTENERS: dict[Move, list[MoveListener]] = {}


def on_move(listener: MoveListener, *moves: Move) -> None:
    """Call ``listener(session, case, move, principal)`` after each of ``moves`` is made."""
    for move in moves:
        if listener not in _LISTENERS.setdefault(move, []):
            _LISTENERS[move].append(listener)


SNAPSHOT_FIELDS = (
    "state",
    "department_code",
    "step",
    "step_due_at",
    "supervision_level",
    "rework_count",
    "extension_minutes_requested",
    "handle_minutes",
    "extension_minutes_granted",
    "pending_request",
    "verify_result",
)


@dataclass
class Ctx:
    session: Session
    principal: Principal
    case: Case
    body: TransitionIn
    repo: CaseRepository
    calendar: WorkCalendar
    now: datetime
    note: str | None
    data: dict[str, Any]

    @property
    def category(self) -> cat.CategoryInfo | None:
        code = self.case.category_code
        return cat.reference(self.session).categories.get(code) if code else None

    def restart(self, step: str) -> None:
        deadlines.restart_clock(
            self.case,
            step=step,
            category=self.category,
            calendar=self.calendar,
            repo=self.repo,
            now=self.now,
        )

    def stop(self) -> None:
        deadlines.stop_clock(self.case, repo=self.repo, now=self.now)


def _need_note(ctx: Ctx, zh: str, en: str) -> str:
    if not ctx.note:
        raise BadRequest(f"请填写{zh}", f"A {en} is required", field="note")
    return ctx.note


def _register(ctx: Ctx) -> None:
    case = ctx.case
    if not case.category_code or not case.grid_code:
        raise BadRequest(
            "立案前须确定类别和位置（网格）",
            "Category and location (grid) must be set before registration",
        )
    case.registered_at = ctx.now
    ctx.restart("dispatch")


def _request(ctx: Ctx, kind: str, zh: str, en: str) -> None:
    if ctx.case.pending_request:
        raise Conflict("已有待审批的申请", "A request is already waiting for approval")
    _need_note(ctx, zh, en)
    ctx.case.pending_request = kind


def _decide(ctx: Ctx, kind: str, *, required: bool = True) -> bool:
    """Clear a pending request of ``kind``; whether one was pending."""
    pending = ctx.case.pending_request == kind
    if required and not pending:
        raise BadRequest("没有待审批的申请", f"There is no pending {kind} request")
    if pending:
        ctx.case.pending_request = None
    return pending


def _reject(ctx: Ctx, kind: str) -> None:
    _decide(ctx, kind)
    ctx.data["refused"] = kind


def _cancel(ctx: Ctx) -> None:
    """The shift leader cancels: approving the clerk's request, or on his own with a reason."""
    requested = _decide(ctx, "cancel", required=False)
    if not requested:
        _need_note(ctx, "作废原因", "reason")
    ctx.case.status_note = ctx.note or ctx.case.status_note
    ctx.data["approved_request"] = requested
    ctx.stop()


def _merge(ctx: Ctx) -> None:
    target_id = ctx.body.target_case_id
    if target_id is None or target_id == ctx.case.id:
        raise BadRequest(
            "请指定要合并到的案件", "Give the case to merge into", field="target_case_id"
        )
    target = ctx.repo.get(target_id)
    if target is None or target.state in FINAL_STATES:
        raise BadRequest("目标案件不存在或已办结", "The target case is missing or finished")
    ctx.case.merged_into_id = target.id
    ctx.case.status_note = f"与案件 {target.number} 重复 / duplicate of {target.number}"
    ctx.data["merged_into"] = target.number
    ctx.stop()


def _dispatch(ctx: Ctx) -> None:
    department = ctx.body.department_code or ctx.case.department_code
    if not department or not cat.department_exists(ctx.session, department):
        raise BadRequest(
            "请选择有效的责任部门", "Choose a valid responsible department", field="department_code"
        )
    limit = deadlines.allowed_minutes(ctx.category, "handle")
    given = ctx.body.handle_minutes
    if given is not None and given > limit:
        raise BadRequest(
            f"处置时限不能超过该类别的法定时限（{working_time(limit, 'zh-CN')}）",
            f"The handling time may not exceed the category's limit ({working_time(limit, 'en')})",
            field="handle_minutes",
            limit_minutes=limit,
        )
    ctx.case.department_code = department
    ctx.case.dispatched_at = ctx.now
    ctx.case.handle_minutes = given if given is not None and given < limit else None
    ctx.case.extension_minutes_granted = 0  # a new dispatch starts afresh
    ctx.data["department_code"] = department
    ctx.data["handle_minutes"] = given or limit
    ctx.restart("handle")


def _accept(ctx: Ctx) -> None:
    pass  # the handle clock keeps running


def _approve_return(ctx: Ctx) -> None:
    _decide(ctx, "return")
    ctx.case.extension_minutes_requested = None
    ctx.restart("dispatch")


def _feedback(ctx: Ctx) -> None:
    _need_note(ctx, "处置结果", "handling result")
    case = ctx.case
    case.handled_at = ctx.now
    case.verify_result = None
    case.extension_minutes_requested = None
    case.pending_request = None
    case.status_note = ctx.note
    ctx.restart("verify")
    if case.grid_code:
        worker = ctx.repo.grid_worker(case.grid_code)
        ctx.data["verifier"] = worker.name if worker else None
        ctx.data["verifier_staff_no"] = worker.staff_no if worker else None


def _verify(ctx: Ctx) -> None:
    if ctx.body.result is None:
        raise BadRequest(
            "请填写核查结论（pass/fail）", "Give the verification result", field="result"
        )
    ctx.case.verify_result = ctx.body.result
    ctx.case.verified_at = ctx.now
    ctx.data["result"] = ctx.body.result
    ctx.stop()


def _close(ctx: Ctx) -> None:
    if ctx.case.verify_result != "pass":
        raise BadRequest(
            "核查未通过，不能结案，请返工", "Verification failed: rework, do not close"
        )
    ctx.case.closed_at = ctx.now
    ctx.case.status_note = ctx.note or ctx.case.status_note
    ctx.stop()


def _rework(ctx: Ctx) -> None:
    _need_note(ctx, "返工原因", "reason")
    ctx.case.rework_count += 1
    ctx.case.verify_result = None
    ctx.restart("handle")


def _request_extension(ctx: Ctx) -> None:
    if ctx.case.extension_minutes_requested:
        raise Conflict("已有待审批的延期申请", "An extension request is already pending")
    if not ctx.body.minutes:
        raise BadRequest(
            "请填写延期时长（工作分钟）", "Give the extension in working minutes", field="minutes"
        )
    _need_note(ctx, "延期理由", "reason")
    ctx.case.extension_minutes_requested = ctx.body.minutes
    ctx.data["minutes"] = ctx.body.minutes


def _decide_extension(ctx: Ctx, *, approve: bool) -> None:
    minutes = ctx.case.extension_minutes_requested
    if not minutes:
        raise BadRequest("没有待审批的延期申请", "There is no pending extension request")
    ctx.case.extension_minutes_requested = None
    ctx.data["minutes"] = minutes
    if approve:
        ctx.case.extension_count += 1
        ctx.case.extension_minutes_granted = (ctx.case.extension_minutes_granted or 0) + minutes
        deadlines.extend_clock(ctx.case, minutes=minutes, calendar=ctx.calendar)
        ctx.data["due"] = ctx.case.step_due_at.isoformat() if ctx.case.step_due_at else None


def _hold(ctx: Ctx) -> None:
    _need_note(ctx, "挂账原因", "reason")
    ctx.case.hold_from_state = ctx.case.state
    deadlines.pause_clock(ctx.case, calendar=ctx.calendar, now=ctx.now)


def _resume(ctx: Ctx) -> State:
    previous = State(ctx.case.hold_from_state or State.REGISTERED)
    ctx.case.hold_from_state = None
    deadlines.resume_clock(ctx.case, category=ctx.category, calendar=ctx.calendar, now=ctx.now)
    return previous


def _supervise(ctx: Ctx) -> None:
    level = ctx.body.level or min(2, ctx.case.supervision_level + 1)
    if level <= ctx.case.supervision_level and ctx.case.supervision_level >= 2:
        raise Conflict("已是最高督办级别（红牌）", "Already at the highest supervision level")
    ctx.case.supervision_level = max(level, ctx.case.supervision_level)
    ctx.data["level"] = ctx.case.supervision_level


def _amend(ctx: Ctx) -> None:
    if ctx.body.amend is None:
        raise BadRequest("没有要更正的内容", "Nothing to amend", field="amend")
    changed = apply_amendment(ctx.session, case=ctx.case, amend=ctx.body.amend)
    if not changed:
        raise BadRequest("没有要更正的内容", "Nothing to amend", field="amend")
    ctx.data.update(changed)


HANDLERS: dict[Move, Callable[[Ctx], State | None]] = {
    Move.AMEND: _amend,
    Move.REGISTER: _register,
    Move.REQUEST_CANCEL: lambda ctx: _request(ctx, "cancel", "作废理由", "reason"),
    Move.CANCEL: _cancel,
    Move.REJECT_CANCEL: lambda ctx: _reject(ctx, "cancel"),
    Move.MERGE: _merge,
    Move.DISPATCH: _dispatch,
    Move.ACCEPT: _accept,
    Move.REQUEST_RETURN: lambda ctx: _request(ctx, "return", "回退理由", "reason"),
    Move.APPROVE_RETURN: _approve_return,
    Move.REJECT_RETURN: lambda ctx: _reject(ctx, "return"),
    Move.FEEDBACK: _feedback,
    Move.VERIFY: _verify,
    Move.CLOSE: _close,
    Move.REWORK: _rework,
    Move.REQUEST_EXTENSION: _request_extension,
    Move.APPROVE_EXTENSION: lambda ctx: _decide_extension(ctx, approve=True),
    Move.REJECT_EXTENSION: lambda ctx: _decide_extension(ctx, approve=False),
    Move.HOLD: _hold,
    Move.RESUME: _resume,
    Move.SUPERVISE: _supervise,
}


def check_row_rules(principal: Principal, case: Case, move: Move) -> None:
    """Department roles act only on their own department's cases; workers verify in their grid."""
    if principal.role in DEPARTMENT_ROLES and (
        not principal.department_code or principal.department_code != case.department_code
    ):
        raise Forbidden("该案件未派遣给您的部门", "This case is not dispatched to your department")
    if principal.role == Role.GRID_WORKER and not covers(principal, case.grid_code):
        raise Forbidden("只能核查本人网格内的案件", "You may only verify cases in your own grid")


def transition(
    session: Session,
    *,
    principal: Principal,
    case_id: int,
    move: Move,
    body: TransitionIn,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Make one move on a case the principal may read."""
    repo = CaseRepository(session)
    case = repo.get_readable(principal, case_id)
    if case is None:
        raise NotFound("案件不存在或无权查看", "Case not found or not visible to you")
    if expected_version is not None and case.version != expected_version:
        raise Conflict("案件已被他人修改，请刷新", "The case was changed meanwhile; reload it")
    state = State(case.state)
    rule = RULES[move]
    if principal.role not in rule.roles:
        raise Forbidden(
            f"您的角色不能执行“{rule.label}”",
            f"Your role may not make the move {move}",
            move=str(move),
            state=str(state),
        )
    if not allowed(principal.role, state, move):
        raise Conflict(
            f"案件状态为 {state}，不能执行“{rule.label}”",
            f"A case in state {state} does not allow the move {move}",
            move=str(move),
            state=str(state),
        )
    check_row_rules(principal, case, move)
    note = clean_text(body.note, field="note", required=False) if body.note else None
    before = {f: _plain(getattr(case, f)) for f in SNAPSHOT_FIELDS}
    ctx = Ctx(
        session=session,
        principal=principal,
        case=case,
        body=body,
        repo=repo,
        calendar=current_calendar(session),
        now=now or utcnow(),
        note=note,
        data={},
    )
    # Validate photo ids before any change.
    media_repo = MediaRepository(session)
    photos = []
    if body.photo_ids:
        photos = media_repo.attachable(media_ids=body.photo_ids, uploaded_by=principal.user_id)
        if len(photos) != len(set(body.photo_ids)):
            raise BadRequest(
                "照片不存在、不是您上传的或已被使用",
                "A photo does not exist, is not yours or is already attached",
                field="photo_ids",
            )
    with session.no_autoflush:
        target = HANDLERS[move](ctx) or rule.target or state
    case.state = target
    if photos:
        media_repo.attach(media_ids=[p.id for p in photos], case_id=case.id)
        ctx.data["photos"] = [p.id for p in photos]
    repo.add_event(
        CaseEvent(
            case_id=case.id,
            at=ctx.now,
            move=str(move),
            state_from=state,
            state_to=target,
            actor_user_id=principal.user_id,
            actor_name=principal.username,
            actor_role=str(principal.role),
            department_code=principal.department_code,
            note=note,
            public=rule.public,
            data=ctx.data or None,
        )
    )
    trail.record(
        session,
        action=f"case.{move}",
        object_type="case",
        object_id=case.id,
        principal=principal,
        before=before,
        after={f: _plain(getattr(case, f)) for f in SNAPSHOT_FIELDS},
        note=note,
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            "案件已被他人修改，请刷新", "The case was changed meanwhile; reload it"
        ) from exc
    for listener in _LISTENERS.get(move, []):
        listener(session, case, move, principal)
    return case


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
