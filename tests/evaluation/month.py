"""A hand-built month (December 2026) of one grid worker's patrols and verifications and two
departments' handling, with the points each must earn (computed by hand in the test)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.models.case import Case, CaseEvent, CaseStep
from gridgov.models.lifecycle import ProxyService
from gridgov.models.patrol import Patrol
from gridgov.models.user import User
from tests.factories import create_user

CST = ZoneInfo("Asia/Shanghai")
GRID_A = "420502001001001"
GRID_B = "420502001001002"
MONTH = (date(2026, 12, 1), date(2026, 12, 31))
SHORT_PATROL_DAYS = (date(2026, 12, 3), date(2026, 12, 10))  # both Thursdays: duty days


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=CST).astimezone(UTC)


class Month:
    def __init__(self, db: Session) -> None:
        self.db = db
        self.worker: User = create_user(db, role=Role.GRID_WORKER, region_code=GRID_A)
        self.other: User = create_user(db, role=Role.GRID_WORKER, region_code=GRID_B)
        self._cases = 0
        self._patrols()
        # Department HW: on time, not executed + overdue, on time then reworked, on time.
        one = self._case(GRID_A)
        self._step(one, "handle", "HW", at(2, 9), at(4, 17), at(4, 12))
        self._step(one, "verify", None, at(4, 12), at(8, 10), at(8, 9), verifier=self.worker)
        two = self._case(GRID_A)
        self._step(two, "handle", "HW", at(9, 9), at(11, 17), at(14, 10))
        self._step(two, "verify", None, at(14, 10), at(15, 10), at(16, 9), verifier=self.worker)
        three = self._case(GRID_A)
        self._step(three, "handle", "HW", at(16, 9), at(20, 17), at(18, 11))
        self._event(three, "rework", at(19, 15), department="HW")
        three.rework_count = 1
        self._step(three, "handle", "HW", at(19, 15), at(23, 17), at(22, 16))
        # Department GA: one case handled on time in grid B.
        four = self._case(GRID_B)
        self._step(four, "handle", "GA", at(7, 9), at(9, 17), at(8, 10))
        # Proxy services (代办) in the worker's grid: one done two days late, one on time.
        self.late_proxy = self._proxy(due=at(21, 10), closed=at(23, 9))
        self._proxy(due=at(22, 10), closed=at(22, 9))
        db.commit()

    def _proxy(self, *, due: datetime, closed: datetime) -> ProxyService:
        proxy = ProxyService(
            service_code="newborn_hukou",
            person_id=1,
            grid_code=GRID_A,
            department_code="police",
            state="done",
            due_at=due,
            documents=[],
            closed_at=closed,
        )
        self.db.add(proxy)
        self.db.flush()
        return proxy

    def _patrols(self) -> None:
        day = MONTH[0]
        while day <= MONTH[1]:
            if day.weekday() < 5:
                for user in (self.worker, self.other):
                    short = user is self.worker and day in SHORT_PATROL_DAYS
                    started = datetime(day.year, day.month, day.day, 8, tzinfo=CST)
                    self.db.add(
                        Patrol(
                            uuid=str(uuid.uuid4()),
                            user_id=user.id,
                            grid_code=user.region_code,
                            day=day,
                            started_at=started,
                            ended_at=started + timedelta(hours=4),
                            seconds_inside=(2 * 3600 + 50 * 60) if short else 3 * 3600 + 120,
                        )
                    )
            day += timedelta(days=1)

    def _case(self, grid: str) -> Case:
        self._cases += 1
        case = Case(
            number=f"EV{self._cases:04d}",
            channel="web",
            state="closed",
            description="测试案件",
            grid_code=grid,
            reported_at=at(1, 8),
            dispatched_at=at(2, 8),
            handled_at=at(25, 8),
            closed_at=at(28, 8),
        )
        self.db.add(case)
        self.db.flush()
        return case

    def _step(
        self,
        case: Case,
        step: str,
        department: str | None,
        started: datetime,
        due: datetime,
        finished: datetime,
        *,
        verifier: User | None = None,
    ) -> None:
        self.db.add(
            CaseStep(
                case_id=case.id,
                step=step,
                department_code=department,
                started_at=started,
                due_at=due,
                finished_at=finished,
                on_time=finished <= due,
            )
        )
        if verifier is not None:
            self._event(case, "verify", finished, actor=verifier)

    def _event(
        self,
        case: Case,
        move: str,
        moment: datetime,
        *,
        department: str | None = None,
        actor: User | None = None,
    ) -> None:
        self.db.add(
            CaseEvent(
                case_id=case.id,
                at=moment,
                move=move,
                state_to="x",
                department_code=department,
                actor_user_id=actor.id if actor else None,
            )
        )
