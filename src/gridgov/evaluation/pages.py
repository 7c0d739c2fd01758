"""The evaluation pages: monthly rankings and the drill-down from a score to its points."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import page_roles
from gridgov.authz.policy import EVALUATION_READERS
from gridgov.authz.principal import Principal
from gridgov.evaluation import indicators, rules, service
from gridgov.evaluation.scoring import CITY_TZ
from gridgov.kit.clock import utcnow
from gridgov.kit.db import request_session
from gridgov.web.i18n import add_messages, local_time
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)

add_messages(
    {
        "nav.evaluation": {"zh-CN": "考评", "en": "Evaluation"},
        "evaluation.title": {"zh-CN": "客观评价（月度）", "en": "Objective evaluation (month)"},
        "evaluation.month": {"zh-CN": "月份", "en": "Month"},
        "evaluation.show": {"zh-CN": "查看", "en": "Show"},
        "evaluation.departments": {"zh-CN": "单位排名", "en": "Departments"},
        "evaluation.people": {"zh-CN": "网格员排名", "en": "Grid workers"},
        "evaluation.rank": {"zh-CN": "名次", "en": "Rank"},
        "evaluation.subject": {"zh-CN": "对象", "en": "Subject"},
        "evaluation.total": {"zh-CN": "得分", "en": "Score"},
        "evaluation.deductions": {"zh-CN": "扣分", "en": "Deductions"},
        "evaluation.credits": {"zh-CN": "加分", "en": "Credits"},
        "evaluation.count": {"zh-CN": "记录数", "en": "Points"},
        "evaluation.none": {"zh-CN": "本月暂无记录", "en": "Nothing this month"},
        "evaluation.points_title": {"zh-CN": "得分明细", "en": "Score details"},
        "evaluation.day": {"zh-CN": "日期", "en": "Day"},
        "evaluation.event": {"zh-CN": "事项", "en": "Event"},
        "evaluation.value": {"zh-CN": "分值", "en": "Points"},
        "evaluation.case": {"zh-CN": "案件", "en": "Case"},
        "evaluation.due": {"zh-CN": "时限", "en": "Deadline"},
        "evaluation.finished": {"zh-CN": "完成", "en": "Finished"},
        "evaluation.version": {"zh-CN": "规则版本", "en": "Rules"},
        "evaluation.waived": {"zh-CN": "申诉成立，不计分", "en": "waived on appeal"},
        "evaluation.patrol": {
            "zh-CN": "本网格巡查 {m} 分钟（应 {r} 分钟）",
            "en": "{m} min in the own grid (duty {r})",
        },
        "evaluation.back": {"zh-CN": "返回排名", "en": "Back to the rankings"},
    }
)

add_nav("nav.evaluation", "/evaluation", set(EVALUATION_READERS))


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
    return render(
        request,
        "evaluation/scores.html",
        principal=principal,
        month=label,
        departments=service.scores(
            session, principal=principal, subject_type="department", start=start, end=end
        ),
        people=service.scores(
            session, principal=principal, subject_type="person", start=start, end=end
        ),
    )


@router.get("/evaluation/points", response_class=HTMLResponse)
def points_page(
    request: Request,
    principal: Annotated[Principal, Depends(page_roles(*EVALUATION_READERS))],
    session: Annotated[Session, Depends(request_session, scope="function")],
    subject_type: Annotated[str, Query(pattern="^(person|department)$")],
    subject_id: Annotated[str, Query(max_length=32)],
    month: Month = None,
) -> HTMLResponse:
    start, end, label = _month(month)
    found = service.points(
        session,
        principal=principal,
        subject_type=subject_type,
        subject_id=subject_id,
        start=start,
        end=end,
    )
    return render(
        request,
        "evaluation/points.html",
        principal=principal,
        month=label,
        subject_type=subject_type,
        subject_id=subject_id,
        points=found,
        events=rules.EVENTS,
        local=_local,
    )


def _local(iso: str | None) -> str:
    """An ISO instant of a point's detail in Beijing time."""
    return local_time(datetime.fromisoformat(iso)) if iso else ""
