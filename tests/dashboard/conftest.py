"""A tiny city whose every count is known: two districts, three grids, a handful of cases."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from gridgov.models import Facility, Region
from gridgov.models.case import Case, CaseStep
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.population_stats import GridPopulationStats
from gridgov.people.tags import tag_codes_text

# 2026-12-06 10:00 in Shanghai: "today" of every test here.
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
TODAY = date(2026, 12, 6)
D1, D2 = "420502", "420503"
S1 = D1 + "001"
C1 = S1 + "001"
G1, G2 = C1 + "001", C1 + "002"
G3 = D2 + "001001001"


def _region(db: Session, code: str, name: str, level: str, x: float) -> Region:
    west, south, size = 111.30 + x, 30.70, 0.01
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    region = Region(
        code=code,
        name=name,
        level=level,
        layer="base",
        geometry=json.dumps({"type": "Polygon", "coordinates": [ring]}),
        min_lng=west,
        min_lat=south,
        max_lng=west + size,
        max_lat=south + size,
        center_lng=west + size / 2,
        center_lat=south + size / 2,
        area_m2=1e6,
    )
    db.add(region)
    return region


@dataclass
class SmallCity:
    grids: tuple[str, ...]


def _case(db: Session, n: int, grid: str, **fields: object) -> Case:
    values: dict[str, object] = {
        "number": f"T{n:08d}",
        "channel": "hotline",
        "state": "dispatched",
        "description": f"测试案件 {n}",
        "grid_code": grid,
        "department_code": "HW",
        "lng": 111.305,
        "lat": 30.705,
    }
    values.update(fields)
    case = Case(**values)
    db.add(case)
    return case


@pytest.fixture
def small_city(db: Session) -> SmallCity:
    _region(db, D1, "西陵区", "district", 0)
    _region(db, S1, "西陵街道", "street", 0)
    _region(db, C1, "滨江社区", "community", 0)
    _region(db, D2, "伍家区", "district", 0.1)
    grid_ids = {}
    for code, name, x in ((G1, "滨江一网格", 0), (G2, "滨江二网格", 0.01), (G3, "伍家一网格", 0.1)):
        region = _region(db, code, name, "grid", x)
        db.flush()
        grid_ids[code] = region.id
    for grid, persons, special in ((G1, 100, 2), (G2, 50, 0), (G3, 70, 1)):
        db.add(
            GridPopulationStats(
                grid_code=grid,
                households=persons // 2,
                persons=persons,
                registered=persons,
                floating=0,
                foreign=0,
                elderly=10,
                elderly_alone=1,
                special_groups=special,
                houses=20,
                organisations=3,
                refreshed_at=NOW,
            )
        )
    for i, (grid, kind) in enumerate(
        ((G1, "camera"), (G1, "street_lamp"), (G2, "camera"), (G3, "fire_hydrant"))
    ):
        db.add(
            Facility(
                code=f"{grid[:6]}0121{i:06d}",
                kind=kind,
                name=f"部件{i}",
                grid_id=grid_ids[grid],
                grid_code=grid,
                lng=111.305,
                lat=30.705,
                stream_url="https://video.example/cam1.m3u8" if i == 0 else None,
            )
        )
    db.flush()
    yesterday = NOW - timedelta(days=1)
    # Yesterday: 3 reported in G1 (2 hotline, 1 web), 2 of them closed yesterday (1 late).
    c1 = _case(
        db, 1, G1, state="closed", reported_at=yesterday, closed_at=yesterday + timedelta(hours=2)
    )
    c2 = _case(
        db, 2, G1, state="closed", reported_at=yesterday, closed_at=yesterday + timedelta(hours=3)
    )
    _case(db, 3, G1, channel="web", reported_at=yesterday, step_due_at=NOW - timedelta(hours=1))
    # Today: 1 open in G2 (not overdue), 1 open in G3 (other district, overdue, department GA).
    _case(db, 4, G2, reported_at=NOW - timedelta(hours=1), step_due_at=NOW + timedelta(hours=5))
    _case(
        db,
        5,
        G3,
        reported_at=NOW - timedelta(hours=1),
        department_code="GA",
        step_due_at=NOW - timedelta(minutes=5),
    )
    db.flush()
    db.add(CaseStep(case_id=c1.id, step="handle", started_at=yesterday, on_time=True))
    db.add(CaseStep(case_id=c2.id, step="handle", started_at=yesterday, on_time=False))
    from gridgov.authz.principal import Role
    from tests.factories import create_user

    worker = create_user(db, role=Role.GRID_WORKER, region_code=G1, username="patrolworker")
    db.add(
        Patrol(
            uuid="p-1",
            user_id=worker.id,
            grid_code=G1,
            day=TODAY,
            started_at=NOW - timedelta(hours=2),
            ended_at=None,
            seconds_inside=3600,
            distance_m=2500.0,
        )
    )
    for i, (grid, tags) in enumerate(((G1, ["drug_user"]), (G1, []), (G3, ["key_youth"]))):
        db.add(
            Person(
                id_number_enc="x",
                id_number_hash=f"h{i}",
                id_number_masked=f"4205**********{i:04d}",
                name=f"居民{i}",
                changed_at=NOW,
                change_source="import",
                given_name="",
                name_pinyin="",
                name_initials="",
                sex="M",
                birth_date=date(1990, 1, 1),
                grid_code=grid,
                current_address="滨江路1号",
                tags=[{"code": t, "source": "import"} for t in tags],
                tag_codes=tag_codes_text([{"code": t, "source": "import"} for t in tags]),
            )
        )
    db.flush()
    return SmallCity(grids=(G1, G2, G3))


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The dashboard's clock stopped at NOW (its modules ask gridgov.kit.clock.utcnow)."""
    from gridgov.dashboard import aggregates, ledger_sources, service

    for module in (aggregates, service, ledger_sources):
        monkeypatch.setattr(module, "utcnow", lambda: NOW)
    # Every test's city is new: no sums of finished days kept from another test.
    service._FINISHED.clear()
    service._LAYERS.clear()
    return NOW
