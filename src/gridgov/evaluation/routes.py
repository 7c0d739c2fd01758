"""Objective evaluation (客观评价): scores, drill-down, appeals, rules, indicators."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.policy import EVALUATION_DECIDERS, EVALUATION_READERS
from gridgov.authz.principal import Principal
from gridgov.evaluation import indicators, rules, service
from gridgov.evaluation.schemas import (
    AppealCreate,
    AppealDecision,
    AppealRead,
    PointRead,
    PointsOf,
    RulesRead,
    RulesSave,
    ScoreRead,
)
from gridgov.evaluation.scoring import CITY_TZ
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session

router = APIRouter(prefix="/evaluation", tags=["evaluation"])

Reader = Annotated[Principal, Depends(require_roles(*EVALUATION_READERS))]
Decider = Annotated[Principal, Depends(require_roles(*EVALUATION_DECIDERS))]
DbSession = Annotated[Session, Depends(request_session, scope="function")]
Period = Annotated[str, Query(pattern="^(day|week|month|quarter)$")]


def _today() -> date:
    return utcnow().astimezone(CITY_TZ).date()


def _range(period: str, anchor: date | None) -> tuple[date, date]:
    return indicators.period_range(period, anchor or _today())


@router.get("/scores", response_model=list[ScoreRead])
def list_scores(
    principal: Reader,
    session: DbSession,
    subject_type: Annotated[str, Query(pattern="^(person|department)$")] = "person",
    period: Period = "month",
    anchor: date | None = None,
    everyone: bool = True,
) -> list[ScoreRead]:
    """Scores of the period (base + deductions + credits), ranked; within the caller's scope.
    ``everyone=false``: only the subjects that earned points."""
    start, end = _range(period, anchor)
    found = service.scores(
        session,
        principal=principal,
        subject_type=subject_type,
        start=start,
        end=end,
        everyone=everyone,
    )
    return [ScoreRead(**s.__dict__, total=s.total) for s in found]


@router.get("/points", response_model=list[PointRead])
def list_points(
    principal: Reader,
    session: DbSession,
    subject_type: Annotated[str, Query(pattern="^(person|department)$")],
    subject_id: Annotated[str, Query(max_length=32)],
    period: Period = "month",
    anchor: date | None = None,
) -> list[PointRead]:
    """Every point of one subject with the record behind it (case step and its timestamps)."""
    start, end = _range(period, anchor)
    wanted = PointsOf(subject_type, subject_id, start, end)
    found = service.points(session, principal=principal, wanted=wanted)
    return [PointRead.model_validate(p) for p in found]


@router.post("/appeals", response_model=AppealRead, status_code=201)
def file_appeal(body: AppealCreate, principal: Reader, session: DbSession) -> AppealRead:
    appeal = service.file_appeal(
        session,
        principal=principal,
        point_id=body.point_id,
        reason=body.reason,
        evidence=body.evidence,
    )
    return AppealRead.model_validate(appeal)


@router.post("/appeals/{appeal_id}/decision", response_model=AppealRead)
def decide_appeal(
    appeal_id: int, body: AppealDecision, principal: Decider, session: DbSession
) -> AppealRead:
    appeal = service.decide_appeal(
        session, principal=principal, appeal_id=appeal_id, uphold=body.uphold, note=body.note
    )
    return AppealRead.model_validate(appeal)


@router.get("/rules", response_model=RulesRead)
def current_rules(principal: Reader, session: DbSession, day: date | None = None) -> RulesRead:
    """The rules in force on ``day`` (default today)."""
    when = day or _today()
    version, _ = service.rule_book_for(session, when)
    saved = {r.version: r.text for r in service.rule_sets(session)}
    return RulesRead(version=version, text=saved.get(version, rules.default_text()))


@router.put("/rules", response_model=RulesRead)
def save_rules(body: RulesSave, principal: Decider, session: DbSession) -> RulesRead:
    """A new version; a bad text is a 400 naming each line and reason."""
    saved = service.save_rules(
        session, principal=principal, text=body.text, effective_from=body.effective_from
    )
    return RulesRead(version=saved.version, text=saved.text)


@router.get("/indicators")
def case_indicators(
    principal: Reader,
    session: DbSession,
    level: Annotated[str, Query(pattern="^(department|grid|community|street|district)$")],
    period: Period = "month",
    anchor: date | None = None,
) -> list[dict[str, Any]]:
    start, end = _range(period, anchor)
    found = indicators.case_indicators(
        session, principal=principal, level=level, start=start, end=end
    )
    return [
        {
            **item.__dict__,
            "closure_rate": item.closure_rate,
            "on_time_closure_rate": item.on_time_closure_rate,
            "rework_rate": item.rework_rate,
            "extension_rate": item.extension_rate,
        }
        for item in found
    ]


@router.get("/indicators/workers")
def worker_indicators(
    principal: Reader,
    session: DbSession,
    period: Period = "month",
    anchor: date | None = None,
) -> list[dict[str, Any]]:
    """Per grid worker of the caller's scope: on-time verification and patrol compliance."""
    start, end = _range(period, anchor)
    found = indicators.worker_indicators(session, principal=principal, start=start, end=end)
    return [
        {
            **item.__dict__,
            "on_time_verification_rate": item.on_time_verification_rate,
            "patrol_compliance": item.patrol_compliance,
        }
        for item in found
    ]
