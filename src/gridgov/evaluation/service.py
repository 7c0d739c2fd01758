"""Objective evaluation: the public functions (pages, API, jobs, the ledgers and the dashboard
use these).

- :func:`score_day` / :func:`score_period` — compute and store the points of days (idempotent).
- :func:`scores` — base + points per subject over a period, ranked.
- :func:`points` — the points of one subject with the record behind each (drill-down).
- :func:`file_appeal` / :func:`decide_appeal` — 申诉; a decision re-scores the point's day.
- :func:`rule_book_for` / :func:`save_rules` — versioned rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import EVALUATION_DECIDERS
from gridgov.authz.principal import DEPARTMENT_ROLES, Principal
from gridgov.evaluation import rules
from gridgov.evaluation.repository import EvaluationRepository
from gridgov.evaluation.rules import RuleBook
from gridgov.evaluation.schemas import PointsOf
from gridgov.evaluation.scoring import find_points
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.models.evaluation import EvaluationAppeal, EvaluationPoint, EvaluationRuleSet

SUBJECT_TYPES = ("person", "department")


@dataclass(frozen=True)
class Score:
    subject_type: str
    subject_id: str
    base: float
    deductions: float
    credits: float
    points: int
    rank: int

    @property
    def total(self) -> float:
        return round(self.base + self.deductions + self.credits, 2)


def rule_book_for(session: Session, day: date) -> tuple[int, RuleBook]:
    """The rules in force on ``day`` and their version (0 = the packaged default)."""
    saved = EvaluationRepository(session).rule_set_for(day)
    if saved is None:
        return 0, rules.parse(rules.default_text())
    return saved.version, rules.parse(saved.text)


def rule_sets(session: Session) -> list[EvaluationRuleSet]:
    """Every saved version, newest first."""
    return EvaluationRepository(session).rule_sets()


def save_rules(
    session: Session, *, principal: Principal, text: str, effective_from: date
) -> EvaluationRuleSet:
    """A new version of the rules, in force from ``effective_from`` (refused with line and reason
    when invalid). Days already scored keep their points until re-scored."""
    rules.parse(text)
    repository = EvaluationRepository(session)
    rule_set = EvaluationRuleSet(
        version=repository.next_version(),
        effective_from=effective_from,
        text=text,
        saved_by=principal.username,
        saved_at=utcnow(),
    )
    session.add(rule_set)
    session.flush()
    trail.record(
        session,
        action="evaluation.rules.save",
        object_type="evaluation_rules",
        object_id=rule_set.version,
        principal=principal,
        after={"version": rule_set.version, "effective_from": effective_from.isoformat()},
    )
    return rule_set


def score_day(session: Session, *, principal: Principal, day: date) -> int:
    """Compute and store the points of ``day`` (replacing what was stored). Returns the count."""
    version, book = rule_book_for(session, day)
    repository = EvaluationRepository(session)
    waived = repository.upheld_keys(day)
    rows = [
        EvaluationPoint(
            day=day,
            key=found.key,
            event=found.event,
            subject_type=found.subject_type,
            subject_id=found.subject_id,
            points=found.points,
            waived=found.key in waived,
            rule_version=version,
            object_type=found.object_type,
            object_id=found.object_id,
            case_id=found.case_id,
            at=found.at,
            grid_code=found.grid_code,
            department_code=found.department_code,
            detail=found.detail,
        )
        for found in find_points(session, day, book)
    ]
    repository.replace_day(day, rows)
    trail.record(
        session,
        action="evaluation.score_day",
        object_type="evaluation_day",
        object_id=day.isoformat(),
        principal=principal,
        after={"points": len(rows), "rule_version": version},
    )
    return len(rows)


def score_period(session: Session, *, principal: Principal, start: date, end: date) -> int:
    total, day = 0, start
    while day <= end:
        total += score_day(session, principal=principal, day=day)
        day += timedelta(days=1)
    return total


def scores(
    session: Session,
    *,
    principal: Principal,
    subject_type: str,
    start: date,
    end: date,
    everyone: bool = False,
) -> list[Score]:
    """The subjects with points in [start, end] of the caller's scope, best first (rank 1; equal
    totals share a rank: 1, 1, 3). ``everyone``: also the active grid workers and departments
    of the scope that earned no point (at the base score)."""
    if subject_type not in SUBJECT_TYPES:
        raise BadRequest("考核对象类型无效", "Unknown subject type")
    _, book = rule_book_for(session, start)
    repository = EvaluationRepository(session)
    rows = repository.totals(principal, subject_type=subject_type, start=start, end=end)
    # Who earned no point at all still ranks (often first).
    if everyone:
        scored = {row[0] for row in rows}
        rows += [
            (subject, 0.0, 0.0, 0)
            for subject in repository.subjects(principal, subject_type=subject_type)
            if subject not in scored
        ]
    ordered = sorted(rows, key=lambda r: (-(r[1] + r[2]), r[0]))
    result: list[Score] = []
    for index, (subject, deductions, credits, count) in enumerate(ordered):
        total = round(deductions + credits, 6)
        rank = index + 1
        if result and round(result[-1].deductions + result[-1].credits, 6) == total:
            rank = result[-1].rank
        result.append(
            Score(
                subject_type,
                subject,
                book.base,
                round(deductions, 2),
                round(credits, 2),
                count,
                rank,
            )
        )
    return result


def points(session: Session, *, principal: Principal, wanted: PointsOf) -> list[EvaluationPoint]:
    """The points of one subject, each with the record that caused it (``detail``)."""
    return EvaluationRepository(session).points(principal, wanted)


def subject_names(
    session: Session, *, subject_type: str, subject_ids: list[str], language: str = "zh-CN"
) -> dict[str, str]:
    """Names to show for subjects: department names, workers' display names, region names
    (``subject_type`` a region level: district, street, community, grid)."""
    repository = EvaluationRepository(session)
    if subject_type in ("district", "street", "community", "grid"):
        return repository.region_names(subject_ids)
    if subject_type == "department":
        names = repository.department_names(subject_ids)
        return {code: (en if language == "en" else zh) for code, (zh, en) in names.items()}
    ids = [int(s) for s in subject_ids if s.isdigit()]
    return repository.person_names(ids)


def appeal_states(session: Session, *, points: list[EvaluationPoint]) -> dict[str, str]:
    """pending / upheld / rejected per point key that has an appeal."""
    return EvaluationRepository(session).appeal_states([p.key for p in points])


def appeals(
    session: Session, *, principal: Principal, state: str | None = None
) -> list[EvaluationAppeal]:
    """The appeals of the caller's scope (a worker: the own), newest first."""
    return EvaluationRepository(session).appeals(principal, state=state)


def may_appeal(principal: Principal, point: EvaluationPoint) -> bool:
    """The subject itself appeals a deduction: the worker, or the department's staff."""
    return point.points < 0 and _may_appeal(principal, point)


def _may_appeal(principal: Principal, point: EvaluationPoint) -> bool:
    if point.subject_type == "person":
        return point.subject_id == str(principal.user_id)
    return principal.role in DEPARTMENT_ROLES and principal.department_code == point.subject_id


def file_appeal(
    session: Session,
    *,
    principal: Principal,
    point_id: int,
    reason: str,
    evidence: str | None = None,
) -> EvaluationAppeal:
    """申诉 against one deduction, by its subject (the worker, the department)."""
    repository = EvaluationRepository(session)
    point = repository.point(principal, point_id)
    if point is None:
        raise NotFound("扣分记录不存在", "No such point")
    if not _may_appeal(principal, point):
        raise Forbidden("只能对本人或本单位的扣分申诉", "Only the subject may appeal")
    if point.points >= 0:
        raise BadRequest("加分不能申诉", "Only deductions can be appealed")
    if len(reason.strip()) < 4:
        raise BadRequest("请写明申诉理由", "Give a reason")
    if repository.open_appeal_for(point.key) is not None:
        raise Conflict("该扣分已有申诉", "This deduction is already appealed")
    appeal = EvaluationAppeal(
        point_key=point.key,
        day=point.day,
        subject_type=point.subject_type,
        subject_id=point.subject_id,
        grid_code=point.grid_code,
        department_code=point.department_code,
        reason=reason.strip(),
        evidence=(evidence or "").strip() or None,
        filed_by=principal.username,
        filed_at=utcnow(),
    )
    session.add(appeal)
    session.flush()
    trail.record(
        session,
        action="evaluation.appeal.file",
        object_type="evaluation_appeal",
        object_id=appeal.id,
        principal=principal,
        after={"point": point.key, "reason": appeal.reason, "evidence": appeal.evidence},
    )
    return appeal


def decide_appeal(
    session: Session, *, principal: Principal, appeal_id: int, uphold: bool, note: str
) -> EvaluationAppeal:
    """The supervision centre decides; the point's day is re-scored at once."""
    if principal.role not in EVALUATION_DECIDERS and not principal.system:
        raise Forbidden("申诉由监督中心裁决", "Appeals are decided by the supervision centre")
    appeal = EvaluationRepository(session).appeal(principal, appeal_id)
    if appeal is None:
        raise NotFound("申诉不存在", "No such appeal")
    if appeal.state != "pending":
        raise Conflict("该申诉已裁决", "This appeal is already decided")
    before = {"state": appeal.state}
    appeal.state = "upheld" if uphold else "rejected"
    appeal.decided_by = principal.username
    appeal.decided_at = utcnow()
    appeal.decision_note = note.strip() or None
    session.flush()
    trail.record(
        session,
        action="evaluation.appeal.decide",
        object_type="evaluation_appeal",
        object_id=appeal.id,
        principal=principal,
        before=before,
        after={"state": appeal.state, "note": appeal.decision_note},
    )
    score_day(session, principal=principal, day=appeal.day)
    return appeal
