"""A month of department events for the synthetic city: births from hospitals (≈ 600 for the
reference city's million residents), deaths, move-ins and move-outs and residence permits from
the police, drawn from the people in the base, and the demo step that pushes them through the
life-cycle rules so the demo shows tasks, proxy services and timelines."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from rich.console import Console
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.kit.db import job_session
from gridgov.lifecycle import service
from gridgov.lifecycle.events import Event, payload_of
from gridgov.lifecycle.repository import LifecycleRepository
from gridgov.models.house import House
from gridgov.models.person import LivingStatus, Person, ResidenceType
from gridgov.models.task import Task
from gridgov.models.user import User
from gridgov.people.identifiers import make_resident_id
from gridgov.people.sensitive import reveal
from gridgov.sim.names import name_table
from gridgov.tasks import service as tasks

# Per million residents and month (Hubei: ≈ 7 births, ≈ 7.5 deaths per 1,000 a year).
PER_MILLION = {"birth": 600, "death": 620, "move_in": 400, "move_out": 300, "permit": 500}
HOSPITALS = ("宜昌市中心人民医院", "宜昌市第一人民医院", "宜昌市妇幼保健院", "三峡大学附属仁和医院")


@dataclass
class Month:
    events: list[Event] = field(default_factory=list)

    def count(self, event_type: str) -> int:
        return sum(1 for e in self.events if e.event_type == event_type)


def _sample(session: Session, statement: Any, n: int, seed: int) -> list[Any]:
    """``n`` rows of ``statement`` drawn at random (SQLite and PostgreSQL alike)."""
    if n <= 0:
        return []
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    if total == 0:
        return []
    rng = random.Random(seed)
    offsets = sorted(rng.sample(range(total), min(n, total)))
    rows: list[Any] = []
    # A handful of windows instead of one query per row.
    for start in range(0, len(offsets), 200):
        chunk = offsets[start : start + 200]
        window = session.execute(statement.offset(chunk[0]).limit(chunk[-1] - chunk[0] + 1)).all()
        rows.extend(window[o - chunk[0]] for o in chunk if o - chunk[0] < len(window))
    return rows


def _day(rng: random.Random, today: date, days: int) -> date:
    return today - timedelta(days=rng.randrange(days))


def simulate_month(
    session: Session,
    *,
    seed: int = 1,
    today: date | None = None,
    days: int = 30,
    scale: float | None = None,
    grid_code: str | None = None,
) -> Month:
    """Events of ``days`` days ending ``today``, scaled to the base's population (or ``scale``
    × the per-million rates). ``grid_code``: also a few births in this grid (the demo worker's)."""
    rng = random.Random(seed)
    today = today or date.today()
    alive = session.scalar(select(func.count(Person.id)).where(Person.living_status == "alive"))
    factor = scale if scale is not None else (alive or 0) / 1_000_000 * days / 30
    wanted = {k: round(v * factor) for k, v in PER_MILLION.items()}
    month = Month()
    mothers = (
        select(Person.id, Person.name, Person.id_number_enc, Person.household_id, House.address)
        .join(House, House.id == Person.house_id)
        .where(
            Person.sex == "F",
            Person.living_status == LivingStatus.ALIVE,
            Person.birth_date.between(
                today - timedelta(days=40 * 365), today - timedelta(days=21 * 365)
            ),
            Person.id_type == "resident_id",
        )
        .order_by(Person.id)
    )
    chosen = _sample(session, mothers, wanted["birth"], seed)
    if grid_code:
        chosen += _sample(session, mothers.where(Person.grid_code == grid_code), 4, seed + 1)
    given_names = list(name_table().given)
    for number, (_, name, id_enc, _, address) in enumerate(chosen, start=1):
        born = _day(rng, today, days)
        sex = rng.choice("男女")
        month.events.append(
            Event(
                "birth",
                "WJ",
                f"CS{today:%Y%m}{seed:02d}{number:05d}",
                born,
                data={
                    "baby_sex": sex,
                    "birth_time": datetime(
                        born.year, born.month, born.day, rng.randrange(24)
                    ).isoformat(),
                    "weight_g": rng.randrange(2500, 4300),
                    "hospital": rng.choice(HOSPITALS),
                    "mother_name": name,
                    "mother_id": reveal(id_enc),
                    "address": address + ("室" if rng.random() < 0.5 else ""),
                    "birth_cert_no": f"Q42{today:%y}{seed:02d}{number:06d}",
                    "baby_name": name[0] + rng.choice(given_names),
                },
            )
        )
    old = (
        select(Person.id_number_enc, Person.name)
        .where(
            Person.living_status == LivingStatus.ALIVE,
            Person.birth_date < today - timedelta(days=70 * 365),
            Person.id_type == "resident_id",
        )
        .order_by(Person.id)
    )
    for number, (id_enc, name) in enumerate(_sample(session, old, wanted["death"], seed + 2), 1):
        died = _day(rng, today, days)
        source = rng.choice(("WJ", "GA", "MZ"))
        month.events.append(
            Event(
                "death",
                source,
                f"SW{today:%Y%m}{seed:02d}{number:05d}",
                died,
                {"id_number": reveal(id_enc), "name": name, "died_on": died.isoformat()},
            )
        )
    adults = (
        select(Person.id_number_enc, Person.name, Person.residence_type, Person.current_address)
        .where(Person.living_status == LivingStatus.ALIVE, Person.id_type == "resident_id")
        .order_by(Person.id)
    )
    for kind, wanted_n, offset in (
        ("move_in", wanted["move_in"], 3),
        ("move_out", wanted["move_out"], 4),
    ):
        for number, (id_enc, name, _, address) in enumerate(
            _sample(session, adults, wanted_n, seed + offset), 1
        ):
            month.events.append(
                Event(
                    kind,
                    "GA",
                    f"{kind.upper()}{today:%Y%m}{seed:02d}{number:05d}",
                    _day(rng, today, days),
                    {"id_number": reveal(id_enc), "name": name, "address": address},
                )
            )
    floating = adults.where(Person.residence_type == ResidenceType.FLOATING)
    for number, (id_enc, name, _, _) in enumerate(
        _sample(session, floating, wanted["permit"], seed + 5), 1
    ):
        issued = _day(rng, today, days)
        kind = "permit_renewed" if rng.random() < 0.4 else "permit_issued"
        # Most permits run a year; some were issued short and expire within the month.
        expires = issued + timedelta(days=365 if rng.random() < 0.85 else rng.randrange(20, 60))
        month.events.append(
            Event(
                kind,
                "GA",
                f"JZZ{today:%Y%m}{seed:02d}{number:05d}",
                issued,
                {"id_number": reveal(id_enc), "name": name, "expires_on": expires.isoformat()},
            )
        )
    month.events.sort(key=lambda e: (e.occurred_on, e.source_ref))
    return month


def push(session: Session, month: Month) -> dict[str, int]:
    """Every event through the rules, as the departments would send them; counts by status."""
    principal = system_principal("sim.events")
    statuses: dict[str, int] = {}
    for row in service.receive_many(
        session, principal=principal, events=month.events, strict=False
    ):
        statuses[row.status] = statuses.get(row.status, 0) + 1
    return statuses


def demo_step(console: Console) -> None:
    """A week of events pushed through the rules; the demo worker completes two newborn
    visits, and the police's ID reaches one of the newborns — so tasks, open and done
    services, findings and timelines all have something to show."""
    with job_session() as session:
        worker = session.scalars(select(User).where(User.username == "grid_worker")).first()
        grid = worker.region_code if worker is not None else None
        # A week keeps the demo quick at the reference scale (≈ 560 events for a million
        # residents); `gridgov sim events` pushes a whole month.
        month = simulate_month(session, seed=7, days=7, grid_code=grid)
        statuses = push(session, month)
        done = _complete_demo_visits(session, worker) if worker is not None else 0
    console.print(
        f"[green]life events[/green]: {len(month.events)} "
        f"({month.count('birth')} births, {month.count('death')} deaths) → "
        + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
        + f"; {done} newborn visits done by the demo worker"
    )


def _complete_demo_visits(session: Session, worker: Any) -> int:
    principal = Principal(
        user_id=worker.id,
        username=worker.username,
        role=Role.GRID_WORKER,
        region_code=worker.region_code,
        channel="field",
    )
    open_visits = session.scalars(
        select(Task)
        .where(
            Task.grid_code == worker.region_code, Task.kind == "newborn_visit", Task.state == "open"
        )
        .order_by(Task.id)
        .limit(2)
    ).all()
    for number, task in enumerate(open_visits):
        tasks.complete(
            session,
            principal=principal,
            task_id=task.id,
            result={"baby_name": f"王{'乐安'[number]}", "lives_here": "yes", "household_ok": "yes"},
        )
    first = open_visits[0] if open_visits else None
    if first is not None:
        event = LifecycleRepository(session).event_of_task(first.id)
        newborn = session.get(Person, event.person_id) if event and event.person_id else None
        if event is not None and newborn is not None:
            service.receive(
                session,
                principal=system_principal("sim.events"),
                event=Event(
                    "id_issued",
                    "GA",
                    f"ID-DEMO-{newborn.id}",
                    date.today(),
                    {
                        "id_number": make_resident_id("420502", newborn.birth_date, 901),
                        "name": newborn.name,
                        "birth_cert_no": payload_of(event.payload).get("birth_cert_no"),
                    },
                ),
            )
    return len(open_visits)
