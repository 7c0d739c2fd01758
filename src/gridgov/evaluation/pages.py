"""The evaluation pages: monthly rankings and the drill-down from a score to its points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.policy import EVALUATION_DECIDERS, EVALUATION_READERS
from gridgov.authz.principal import Principal
from gridgov.evaluation import indicators, rules, service
from gridgov.evaluation.schemas import PointsOf
from gridgov.evaluation.scoring import CITY_TZ
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session
from gridgov.models.evaluation import EvaluationRuleSet
from gridgov.web.forms import attempt
from gridgov.web.i18n import N_, local_time, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)


add_nav(N_("考评"), "/evaluation", set(EVALUATION_READERS))
add_nav(N_("考评指标"), "/evaluation/indicators", set(EVALUATION_READERS))
add_nav(N_("考评申诉"), "/evaluation/appeals", set(EVALUATION_READERS))
add_nav(N_("考评规则"), "/evaluation/rules", set(EVALUATION_DECIDERS))

Reader = Annotated[Principal, Depends(page_roles(*EVALUATION_READERS))]
Decider = Annotated[Principal, Depends(page_roles(*EVALUATION_DECIDERS))]
DbSession = Annotated[Session, Depends(request_session, scope="function")]


def _month(month: str | None) -> tuple[date, date, str]:
    today = utcnow().astimezone(CITY_TZ).date()
    anchor = date.fromisoformat(f"{month}-01") if month else today
    start, end = indicators.period_range("month", anchor)
    return start, end, start.strftime("%Y-%m")


Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]


@router.get("/evaluation", response_class=HTMLResponse)
def evaluation_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*EVALUATION_READERS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    month: Month = None,
) -> HTMLResponse:
    start, end, label = _month(month)
    language = request_language(request)
    rankings = {}
    for kind in ("department", "person"):
        found = service.scores(
            session, principal=principal, subject_type=kind, start=start, end=end, everyone=True
        )
        names = service.subject_names(
            session,
            subject_type=kind,
            subject_ids=[s.subject_id for s in found],
            language=language,
        )
        rankings[kind] = [(score, names.get(score.subject_id, score.subject_id)) for score in found]
    return render(
        request,
        "evaluation/scores.html",
        principal=principal,
        month=label,
        start=start.isoformat(),
        end=end.isoformat(),
        departments=rankings["department"],
        people=rankings["person"],
    )


INDICATOR_LEVELS = ("person", "department", "grid", "community", "street", "district")


@router.get("/evaluation/indicators", response_class=HTMLResponse)
def indicators_page(
    request: Request,
    principal: Reader,
    session: DbSession,
    level: Annotated[str, Query(pattern="^(person|department|grid|community|street|district)$")] = (
        "department"
    ),
    period: Annotated[str, Query(pattern="^(day|week|month|quarter)$")] = "month",
    anchor: date | None = None,
) -> HTMLResponse:
    """The standard indicators (REFERENCE.md) of a period per person, department or region,
    ranked; each reader within the own scope."""
    anchor = anchor or utcnow().astimezone(CITY_TZ).date()
    start, end = indicators.period_range(period, anchor)
    rows: list[Any]
    if level == "person":
        rows = indicators.worker_indicators(session, principal=principal, start=start, end=end)
        ids = [str(w.user_id) for w in rows]
    else:
        rows = indicators.case_indicators(
            session, principal=principal, level=level, start=start, end=end
        )
        ids = [i.key for i in rows]
    names = service.subject_names(
        session, subject_type=level, subject_ids=ids, language=request_language(request)
    )
    return render(
        request,
        "evaluation/indicators.html",
        principal=principal,
        level=level,
        levels=INDICATOR_LEVELS,
        period=period,
        anchor=anchor.isoformat(),
        start=start,
        end=end,
        rows=rows,
        names=names,
    )


@router.get("/evaluation/points", response_class=HTMLResponse)
def points_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*EVALUATION_READERS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    subject_type: Annotated[str, Query(pattern="^(person|department)$")],
    subject_id: Annotated[str, Query(max_length=32)],
    month: Month = None,
    error: Annotated[str | None, Query(max_length=300)] = None,
) -> HTMLResponse:
    start, end, label = _month(month)
    wanted = PointsOf(subject_type, subject_id, start, end)
    found = service.points(session, principal=principal, wanted=wanted)
    names = service.subject_names(
        session,
        subject_type=subject_type,
        subject_ids=[subject_id],
        language=request_language(request),
    )
    return render(
        request,
        "evaluation/points.html",
        principal=principal,
        month=label,
        subject_type=subject_type,
        subject_id=subject_id,
        subject_name=names.get(subject_id, subject_id),
        points=found,
        appealed=service.appeal_states(session, points=found),
        may_appeal={p.id for p in found if service.may_appeal(principal, p)},
        events=rules.EVENTS,
        local=_local,
        error=error,
    )


@router.post("/evaluation/points/{point_id}/appeal", dependencies=[Depends(csrf_protect)])
def appeal_point(
    request: Request,
    point_id: int,
    principal: Reader,
    session: DbSession,
    back: Annotated[str, Form(max_length=300)],
    reason: Annotated[str, Form(max_length=2000)] = "",
    evidence: Annotated[str, Form(max_length=4000)] = "",
) -> RedirectResponse:
    """申诉 from the drill-down page; a refusal comes back as the page's message."""
    with attempt(session) as tried:
        service.file_appeal(
            session, principal=principal, point_id=point_id, reason=reason, evidence=evidence
        )
    target = back if back.startswith("/evaluation/points?") else "/evaluation/appeals"
    if tried.error:
        target += "&error=" + quote(tried.message(request))
    return RedirectResponse(target, status_code=303)


@router.get("/evaluation/appeals", response_class=HTMLResponse)
def appeals_page(request: Request, principal: Reader, session: DbSession) -> HTMLResponse:
    found = service.appeals(session, principal=principal)
    language = request_language(request)
    names = {
        (kind, subject): name
        for kind in ("person", "department")
        for subject, name in service.subject_names(
            session,
            subject_type=kind,
            subject_ids=[a.subject_id for a in found if a.subject_type == kind],
            language=language,
        ).items()
    }
    return render(
        request,
        "evaluation/appeals.html",
        principal=principal,
        appeals=found,
        names=names,
        may_decide=principal.role in EVALUATION_DECIDERS,
        local=local_time,
    )


@router.post("/evaluation/appeals/{appeal_id}/decision", dependencies=[Depends(csrf_protect)])
def decide_appeal(
    appeal_id: int,
    principal: Decider,
    session: DbSession,
    decision: Annotated[str, Form(pattern="^(uphold|reject)$")],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    service.decide_appeal(
        session,
        principal=principal,
        appeal_id=appeal_id,
        uphold=decision == "uphold",
        note=note,
    )
    return RedirectResponse("/evaluation/appeals", status_code=303)


@router.get("/evaluation/rules", response_class=HTMLResponse)
def rules_page(request: Request, principal: Decider, session: DbSession) -> HTMLResponse:
    today = utcnow().astimezone(CITY_TZ).date()
    version, _ = service.rule_book_for(session, today)
    saved = service.rule_sets(session)
    text = next((r.text for r in saved if r.version == version), rules.default_text())
    return _rules_form(request, principal, saved, text=text, effective_from=today)


def _rules_form(
    request: Request,
    principal: Principal,
    saved: list[EvaluationRuleSet],
    *,
    text: str,
    effective_from: date,
    problems: list[rules.RuleProblem] | None = None,
) -> HTMLResponse:
    return render(
        request,
        "evaluation/rules.html",
        status_code=400 if problems else 200,
        principal=principal,
        text=text,
        effective_from=effective_from,
        versions=saved,
        problems=problems or [],
        language=request_language(request),
        local=local_time,
    )


@router.post("/evaluation/rules", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def save_rules_page(
    request: Request,
    principal: Decider,
    session: DbSession,
    text: Annotated[str, Form(max_length=100_000)],
    effective_from: Annotated[date, Form()],
) -> Response:
    """A new version; a bad text comes back in the form with every line and reason."""
    try:
        rules.parse(text)
    except rules.InvalidRules as refused:
        saved = service.rule_sets(session)
        return _rules_form(
            request,
            principal,
            saved,
            text=text,
            effective_from=effective_from,
            problems=refused.problems,
        )
    service.save_rules(session, principal=principal, text=text, effective_from=effective_from)
    return RedirectResponse("/evaluation/rules", status_code=303)


def _local(iso: str | None) -> str:
    """An ISO instant of a point's detail in Beijing time."""
    return local_time(datetime.fromisoformat(iso)) if iso else ""
