"""Synthetic case history for the demo: a few thousand cases over the last weeks, in every state
of the loop, with their timelines, step history and running clocks on the real calendar.

Each case walks the loop step by step; every step takes a random share of its allowed working
time (about one in eight runs late), and the walk stops where "now" is reached, so the open
cases carry realistic clocks (some in warning, some overdue). Simulated history is written
directly (no trail entries: nobody made these moves).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.cases import categories as cat
from gridgov.cases.intake import new_number
from gridgov.cases.states import State
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case, CaseEvent, CaseStep
from gridgov.models.region import Region, RegionLevel
from gridgov.sim.progress import ProgressSink, Silent
from gridgov.tasks.sources import make_verification_task
from gridgov.workcal.calendar import WorkCalendar
from gridgov.workcal.service import current_calendar


@dataclass(frozen=True)
class CaseSimSummary:
    cases: int
    by_state: dict[str, int]


# Frequent categories first (weights); the rest share the remainder.
_WEIGHTS = {
    "E0102": 14, "E0502": 10, "E0201": 9, "E0504": 7, "E0503": 6, "E0104": 6, "E0101": 4,
    "C0106": 4, "C0102": 3, "C0103": 3, "E0303": 3, "E0701": 3, "E0505": 2, "E0406": 2,
}  # fmt: skip
_CHANNELS = (("worker_app", 55), ("hotline", 20), ("web", 8), ("open311", 6), ("sms", 4),
             ("walk_in", 3), ("video", 3), ("email", 1))  # fmt: skip
_DESCRIPTIONS = {
    "E0102": "路边有暴露垃圾未清运",
    "E0502": "商铺店外占道经营",
    "E0201": "电线杆上张贴非法小广告",
    "E0504": "共享单车乱停放堵塞人行道",
    "E0503": "机动车占用消防通道",
    "E0104": "道路有油污、泥土",
    "E0101": "小区内私搭乱建棚屋",
    "C0106": "路灯夜间不亮",
    "C0102": "污水井盖破损",
    "C0103": "雨水井盖缺失",
    "E0303": "人行道砖松动破损",
    "E0701": "邻里因噪音发生纠纷",
    "E0505": "夜间露天烧烤油烟扰民",
    "E0406": "雨后道路积水",
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"


def simulate_cases(
    session: Session,
    *,
    seed: int,
    count: int,
    days: int = 30,
    progress: ProgressSink | None = None,
    now: datetime | None = None,
) -> CaseSimSummary:
    """Insert ``count`` simulated cases reported during the last ``days`` days."""
    sink = progress or Silent()
    rng = random.Random(seed)
    now = now or utcnow()
    grids = list(
        session.execute(
            select(Region.code, Region.center_lng, Region.center_lat).where(
                Region.level == RegionLevel.GRID, Region.layer == "base"
            )
        ).all()
    )
    if not grids:
        return CaseSimSummary(cases=0, by_state={})
    ref = cat.reference(session)
    selectable = [c for c in ref.categories.values() if c.selectable]
    weights = [_WEIGHTS.get(c.code, 0.4) for c in selectable]
    calendar = current_calendar(session)
    sink.start("cases", count)
    by_state: dict[str, int] = {}
    batch: list[tuple[Case, list[CaseEvent], list[CaseStep]]] = []
    for i in range(count):
        category = rng.choices(selectable, weights)[0]
        code, lng, lat = grids[rng.randrange(len(grids))]
        reported = now - timedelta(seconds=rng.uniform(0, days * 86400) ** 1.0)
        channel = rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
        case, events, steps = _walk(rng, calendar, category, code, lng, lat, reported, channel, now)
        by_state[case.state] = by_state.get(case.state, 0) + 1
        batch.append((case, events, steps))
        if len(batch) >= 500 or i == count - 1:
            _flush(session, batch)
            sink.advance(len(batch))
            batch = []
    return CaseSimSummary(cases=count, by_state=by_state)


def _flush(session: Session, batch: list[tuple[Case, list[CaseEvent], list[CaseStep]]]) -> None:
    session.add_all([case for case, _, _ in batch])
    session.flush()
    for case, events, steps in batch:
        for event in events:
            event.case_id = case.id
        for step in steps:
            step.case_id = case.id
        session.add_all(events)
        session.add_all(steps)
    session.flush()
    # What the feedback move makes in real life: the worker's on-site verification task.
    for case, _, _ in batch:
        if case.state == "handled":
            make_verification_task(session, case)


def _walk(
    rng: random.Random,
    calendar: WorkCalendar,
    category: cat.CategoryInfo,
    grid_code: str,
    lng: float,
    lat: float,
    reported: datetime,
    channel: str,
    now: datetime,
) -> tuple[Case, list[CaseEvent], list[CaseStep]]:
    drawn = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"  # drawn always: same sequence
    phone = drawn if channel != "worker_app" else None
    case = Case(
        number=new_number(reported),
        channel=channel,
        category_code=category.code,
        department_code=category.department_code,
        state=State.REPORTED,
        priority=rng.choices(["normal", "urgent"], [9, 1])[0],
        description=_DESCRIPTIONS.get(category.code, f"{category.name}问题"),
        lng=lng + rng.uniform(-0.0004, 0.0004),
        lat=lat + rng.uniform(-0.0004, 0.0004),
        grid_code=grid_code,
        reporter_name_masked=rng.choice(_SURNAMES) + "**" if channel != "worker_app" else None,
        reporter_phone_masked=crypto.mask_phone(phone) if phone else None,
        reporter_phone_enc=crypto.encrypt(phone) if phone else None,
        supervision_level=0,
        rework_count=0,
        extension_count=0,
        reported_at=reported,
    )
    events: list[CaseEvent] = []
    steps: list[CaseStep] = []
    t = reported

    def event(move: str, state: State, actor: str, note: str | None = None, **data: Any) -> None:
        events.append(
            CaseEvent(
                at=t, move=move, state_from=case.state, state_to=state, actor_name=actor,
                actor_role=None, note=note, public=move in ("register", "dispatch", "feedback",
                                                            "close", "cancel"),
                data=data or None,
            )
        )  # fmt: skip
        case.state = state

    def run(step: str) -> datetime | None:
        """Time the step ends, or None when it is still running now (clock set on the case)."""
        minutes = category.minutes(step)
        due = calendar.add_working_minutes(t, minutes)
        warn = calendar.add_working_minutes(t, minutes * category.warn_share)
        share = rng.uniform(0.05, 0.95) if rng.random() > 0.12 else rng.uniform(1.05, 2.5)
        end = calendar.add_working_minutes(t, minutes * share).at
        if end > now:
            case.step, case.step_started_at = step, t
            case.step_due_at, case.step_warn_at = due.at, warn.at
            case.calendar_warning = due.warning
            return None
        steps.append(
            CaseStep(
                step=step,
                department_code=case.department_code if step == "handle" else None,
                started_at=t,
                due_at=due.at,
                finished_at=end,
                on_time=end <= due.at,
            )
        )
        return end

    end = run("register")
    if end is None:
        return case, events, steps
    t = end
    if rng.random() < 0.05:
        event("cancel", State.CANCELLED, "sim-leader", "重复来电 / duplicate call")
        case.status_note = "重复来电"
        return case, events, steps
    event("register", State.REGISTERED, "sim-clerk")
    case.registered_at = t
    end = run("dispatch")
    if end is None:
        return case, events, steps
    t = end
    event("dispatch", State.DISPATCHED, "sim-dispatcher", department_code=case.department_code)
    case.dispatched_at = t
    for _attempt in range(3):
        end = run("handle")
        if end is None:
            if rng.random() < 0.05:
                case.supervision_level = rng.choice([1, 1, 2])
            return case, events, steps
        handled = end
        t = t + (end - t) / 5
        event("accept", State.ACCEPTED, f"sim-{(case.department_code or '').lower()}")
        t = handled
        event("feedback", State.HANDLED, f"sim-{(case.department_code or '').lower()}", "已处置")
        case.handled_at = t
        end = run("verify")
        if end is None:
            return case, events, steps
        t = end
        passed = rng.random() > 0.08
        event("verify", State.VERIFIED, "sim-worker", None, result="pass" if passed else "fail")
        case.verify_result = "pass" if passed else "fail"
        case.verified_at = t
        t = t + timedelta(minutes=rng.uniform(5, 120))
        if t > now:
            return case, events, steps
        if passed:
            event("close", State.CLOSED, "sim-leader")
            case.closed_at = t
            return case, events, steps
        event("rework", State.DISPATCHED, "sim-leader", "未处置到位 / not done")
        case.rework_count += 1
        case.verify_result = None
    return case, events, steps
