"""Simulated task refusals: over a period, a few grid workers refuse a home visit community staff
assigned them — some with a reason (a reason code, a note or both), some without, which the
evaluation rule ``task_refused_unreasoned`` deducts for. Each refusal goes through the service
the phone's refusal uses (:func:`gridgov.tasks.service.refuse`); the task and the refusal are
then dated to the simulated day (the trail keeps the moment the simulator ran)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.evaluation.scoring import unreasoned
from gridgov.kit.clock import city_zone
from gridgov.lifecycle.proxy import due_after
from gridgov.models.user import User
from gridgov.tasks import service as tasks
from gridgov.workcal.service import current_calendar

# Of the workers, the share that refuses one task in the period (a realistic few).
SHARE = 0.03
KIND = "home_visit"  # admitted (准入〔2026〕2号): community staff assign home visits
TITLES = (
    "入户走访：低保家庭情况核实",
    "入户走访：独居老人探视",
    "入户走访：出租屋信息核对",
    "入户走访：残疾人两项补贴复核",
)
# (reason code, note) of a refusal: "other" alone explains nothing.
UNREASONED: tuple[tuple[str | None, str | None], ...] = ((None, None), ("other", None))
REASONED: tuple[tuple[str | None, str | None], ...] = (
    ("not_admitted", None),
    ("beyond_duty", "要求代收物业费，不属网格员职责"),
    ("duplicate", None),
    ("unreachable", "住户已搬离，电话停机"),
    (None, "当天在社区值班，无法上门"),
)
DEMO_WORKER = "grid_worker"


@dataclass
class Refusals:
    total: int = 0
    unreasoned: int = 0


def simulate(session: Session, *, start: date, end: date, seed: int = 13) -> Refusals:
    """Refusals on working days from ``start`` to ``end``: :data:`SHARE` of the active grid
    workers (at least two; every other one without a reason) and the demo worker, who refuses
    one task with a reason and one without. A second run with the same seed changes nothing."""
    rng = random.Random(seed)
    workers = list(
        session.scalars(
            select(User)
            .where(
                User.role == Role.GRID_WORKER,
                User.active.is_(True),
                func.length(User.region_code) == 15,
            )
            .order_by(User.id)
        )
    )
    calendar = current_calendar(session)
    days = [
        start + timedelta(days=n)
        for n in range((end - start).days + 1)
        if calendar.is_workday(start + timedelta(days=n))
    ]
    if not workers or not days:
        return Refusals()
    chosen = rng.sample(workers, min(len(workers), max(2, round(len(workers) * SHARE))))
    # Every other one without a reason: some of each however few workers there are.
    plan = [
        (worker, rng.choice(UNREASONED if number % 2 == 0 else REASONED))
        for number, worker in enumerate(chosen)
    ]
    demo = next((w for w in workers if w.username == DEMO_WORKER), None)
    if demo is not None:
        plan += [(demo, UNREASONED[0]), (demo, REASONED[1])]
    done = Refusals()
    for number, (worker, (reason, note)) in enumerate(plan):
        day = rng.choice(days)
        refused_at = datetime.combine(day, time(rng.randrange(9, 17), rng.randrange(60)))
        _refuse(session, worker, number, refused_at.replace(tzinfo=city_zone()), reason, note)
        done.total += 1
        done.unreasoned += unreasoned(reason, note)
    return done


def _refuse(
    session: Session,
    worker: User,
    number: int,
    refused_at: datetime,
    reason: str | None,
    note: str | None,
) -> None:
    assigned = refused_at - timedelta(hours=20)
    task = tasks.create(
        session,
        principal=system_principal("sim.refusals"),
        kind=KIND,
        title=TITLES[number % len(TITLES)],
        grid_code=str(worker.region_code),
        due_at=due_after(session, assigned, 3),
        source_ref=f"sim:refusal:{worker.id}:{refused_at:%Y%m%d}:{number}",
    )
    phone = Principal(
        user_id=worker.id,
        username=worker.username,
        role=Role.GRID_WORKER,
        region_code=worker.region_code,
        channel="field",
    )
    tasks.refuse(session, principal=phone, task_id=task.id, reason=reason, note=note)
    # Dated to the simulated day, as if the phone had sent it then.
    task.created_at, task.refused_at = assigned, refused_at
