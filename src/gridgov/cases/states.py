"""The case loop as data: states, moves, and which role may make which move from which state.

Only this table decides whether a move is allowed (plus two row rules the workflow checks:
department roles act only on cases dispatched to their department, grid workers verify only in
their own grid).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from gridgov.authz.principal import Role


class State(StrEnum):
    REPORTED = "reported"  # 上报 / 受理
    REGISTERED = "registered"  # 立案
    CANCELLED = "cancelled"  # 作废
    DISPATCHED = "dispatched"  # 派遣
    ACCEPTED = "accepted"  # 签收
    HANDLED = "handled"  # 处置反馈, awaiting verification 核查
    VERIFIED = "verified"  # 核查 done (pass or fail)
    CLOSED = "closed"  # 结案
    ON_HOLD = "on_hold"  # 挂账
    MERGED = "merged"  # 合并（重复）


class Move(StrEnum):
    AMEND = "amend"  # 补充/更正
    REGISTER = "register"  # 立案
    REQUEST_CANCEL = "request_cancel"  # 作废申请
    CANCEL = "cancel"  # 作废（值班长）
    REJECT_CANCEL = "reject_cancel"
    MERGE = "merge"  # 合并重复
    DISPATCH = "dispatch"  # 派遣
    ACCEPT = "accept"  # 签收
    REQUEST_RETURN = "request_return"  # 回退申请
    APPROVE_RETURN = "approve_return"  # 回退批准
    REJECT_RETURN = "reject_return"
    FEEDBACK = "feedback"  # 处置反馈
    VERIFY = "verify"  # 核查
    CLOSE = "close"  # 结案
    REWORK = "rework"  # 返工
    REQUEST_EXTENSION = "request_extension"  # 延期申请
    APPROVE_EXTENSION = "approve_extension"  # 延期审批
    REJECT_EXTENSION = "reject_extension"
    HOLD = "hold"  # 挂账
    RESUME = "resume"  # 恢复
    SUPERVISE = "supervise"  # 督办


OPEN_STATES = frozenset(
    {
        State.REPORTED,
        State.REGISTERED,
        State.DISPATCHED,
        State.ACCEPTED,
        State.HANDLED,
        State.VERIFIED,
        State.ON_HOLD,
    }
)
FINAL_STATES = frozenset({State.CLOSED, State.CANCELLED, State.MERGED})
DEPARTMENT = frozenset({Role.DEPARTMENT_HANDLER, Role.DEPARTMENT_ADMIN})
COMMAND = frozenset({Role.DISPATCHER, Role.SHIFT_LEADER})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[State]
    roles: frozenset[Role]
    # None: the state does not change (amend, extension, supervision); resume goes back.
    target: State | None
    label: str
    label_en: str
    public: bool = False  # shown on the reporter's tracking page / Open311 status_notes


def _rule(
    sources: set[State],
    roles: set[Role] | frozenset[Role],
    target: State | None,
    label: str,
    label_en: str,
    public: bool = False,
) -> Rule:
    return Rule(frozenset(sources), frozenset(roles), target, label, label_en, public)


S = State
R = Role
RULES: dict[Move, Rule] = {
    Move.AMEND: _rule(
        {S.REPORTED, S.REGISTERED}, {R.INTAKE_CLERK, *COMMAND}, None, "补充更正", "Amended"
    ),
    Move.REGISTER: _rule(
        {S.REPORTED}, {R.INTAKE_CLERK, R.SHIFT_LEADER}, S.REGISTERED, "立案", "Registered", True
    ),
    Move.REQUEST_CANCEL: _rule(
        {S.REPORTED, S.REGISTERED}, {R.INTAKE_CLERK}, None, "作废申请", "Cancellation requested"
    ),
    Move.CANCEL: _rule(
        {S.REPORTED, S.REGISTERED}, {R.SHIFT_LEADER}, S.CANCELLED, "作废", "Cancelled", True
    ),
    Move.REJECT_CANCEL: _rule(
        {S.REPORTED, S.REGISTERED}, {R.SHIFT_LEADER}, None, "作废驳回", "Cancellation refused"
    ),
    Move.MERGE: _rule(
        {S.REPORTED, S.REGISTERED},
        {R.INTAKE_CLERK, *COMMAND},
        S.MERGED,
        "合并为重复案件",
        "Merged as a duplicate",
        True,
    ),
    Move.DISPATCH: _rule({S.REGISTERED}, COMMAND, S.DISPATCHED, "派遣", "Dispatched", True),
    Move.ACCEPT: _rule({S.DISPATCHED}, DEPARTMENT, S.ACCEPTED, "签收", "Accepted"),
    Move.REQUEST_RETURN: _rule(
        {S.DISPATCHED, S.ACCEPTED}, DEPARTMENT, None, "回退申请", "Return requested"
    ),
    Move.APPROVE_RETURN: _rule(
        {S.DISPATCHED, S.ACCEPTED}, COMMAND, S.REGISTERED, "回退批准", "Returned to dispatcher"
    ),
    Move.REJECT_RETURN: _rule(
        {S.DISPATCHED, S.ACCEPTED}, COMMAND, None, "回退驳回", "Return refused"
    ),
    Move.FEEDBACK: _rule({S.ACCEPTED}, DEPARTMENT, S.HANDLED, "处置反馈", "Handled", True),
    Move.VERIFY: _rule({S.HANDLED}, {R.GRID_WORKER}, S.VERIFIED, "核查", "Verified on site"),
    Move.CLOSE: _rule({S.VERIFIED}, {R.SHIFT_LEADER}, S.CLOSED, "结案", "Closed", True),
    Move.REWORK: _rule({S.HANDLED, S.VERIFIED}, COMMAND, S.DISPATCHED, "返工", "Rework"),
    Move.REQUEST_EXTENSION: _rule(
        {S.DISPATCHED, S.ACCEPTED}, DEPARTMENT, None, "延期申请", "Extension requested"
    ),
    Move.APPROVE_EXTENSION: _rule(
        {S.DISPATCHED, S.ACCEPTED}, COMMAND, None, "延期批准", "Extension approved"
    ),
    Move.REJECT_EXTENSION: _rule(
        {S.DISPATCHED, S.ACCEPTED}, COMMAND, None, "延期驳回", "Extension rejected"
    ),
    Move.HOLD: _rule(
        {S.REGISTERED, S.DISPATCHED, S.ACCEPTED}, {R.SHIFT_LEADER}, S.ON_HOLD, "挂账", "On hold"
    ),
    Move.RESUME: _rule({S.ON_HOLD}, {R.SHIFT_LEADER}, None, "恢复", "Resumed"),
    Move.SUPERVISE: _rule(
        {S.REGISTERED, S.DISPATCHED, S.ACCEPTED, S.HANDLED, S.VERIFIED, S.ON_HOLD},
        {R.SHIFT_LEADER, R.LEADER},
        None,
        "督办",
        "Supervised",
    ),
}
# The label of the report itself on the timeline.
REPORT_LABEL = ("上报", "Reported")


def allowed(role: Role, state: State, move: Move) -> bool:
    rule = RULES[move]
    return role in rule.roles and state in rule.sources


# Decisions need the request they decide; a new request waits until the pending one is decided.
_DECIDES = {
    Move.APPROVE_RETURN: "return",
    Move.REJECT_RETURN: "return",
    Move.REJECT_CANCEL: "cancel",
}
_REQUESTS = frozenset({Move.REQUEST_CANCEL, Move.REQUEST_RETURN})
_EXTENSION_DECISIONS = frozenset({Move.APPROVE_EXTENSION, Move.REJECT_EXTENSION})


def offered(move: Move, *, pending_request: str | None, extension_requested: bool) -> bool:
    """Whether a case page should offer ``move`` given the requests waiting on the case (the
    workflow refuses the others anyway, with a clear message)."""
    if move in _DECIDES:
        return pending_request == _DECIDES[move]
    if move in _REQUESTS:
        return pending_request is None
    if move in _EXTENSION_DECISIONS:
        return extension_requested
    if move == Move.REQUEST_EXTENSION:
        return not extension_requested
    return True


@lru_cache(maxsize=4096)
def offered_moves(
    role: Role, state: State, *, pending_request: str | None, extension_requested: bool
) -> tuple[Move, ...]:
    """The moves a case shows its reader (every case read, lists included: computed once per
    combination, the rules being constants)."""
    return tuple(
        m
        for m in Move
        if allowed(role, state, m)
        and offered(m, pending_request=pending_request, extension_requested=extension_requested)
    )
