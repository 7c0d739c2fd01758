"""The simulated month: births, deaths, moves and permits drawn from the people of a small city,
pushed through the rules into tasks, services and findings."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.models.lifecycle import LifeEvent, ProxyService
from gridgov.models.task import Task
from gridgov.sim.city import build_city
from gridgov.sim.events import push, simulate_month


def test_a_month_of_events_becomes_tasks_services_and_findings(db: Session) -> None:
    build_city(db, grids=4, seed=3, with_population=True)
    month = simulate_month(db, seed=3, today=date(2026, 12, 6), scale=0.05)
    assert month.count("birth") == 30 and month.count("death") == 31
    statuses = push(db, month)
    assert sum(statuses.values()) == len(month.events)
    visits = db.scalar(select(func.count(Task.id)).where(Task.kind == "newborn_visit"))
    assert visits == 30  # every synthetic mother lives at a house of the register
    # Every birth opened the mother's maternity allowance at once.
    allowances = db.scalar(
        select(func.count(ProxyService.id)).where(
            ProxyService.service_code == "maternity_allowance"
        )
    )
    assert allowances == 30
    # Sending the same month again changes nothing (idempotent on the departments' ids).
    before = db.scalar(select(func.count(LifeEvent.id)))
    push(db, month)
    assert db.scalar(select(func.count(LifeEvent.id))) == before
