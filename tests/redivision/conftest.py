"""A small community built row by row: grids of 330 m squares, apartment buildings of 20–60
flats, one household per flat and two residents per household, a facility, cases, a task and a
worker per grid."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from gridgov.grids.geometry import area_m2, metres_to_lnglat, to_geojson
from gridgov.kit.clock import utcnow
from gridgov.models.case import Case
from gridgov.models.facility import Facility
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.patrol import Patrol
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.models.staff import Assignment, Staff
from gridgov.models.task import Task
from gridgov.people.stats import refresh_grid_stats

DISTRICT, STREET, COMMUNITY = "420599", "420599001", "420599001001"
CELL = 330.0


@dataclass
class Built:
    community: str
    codes: list[str]
    regions: dict[str, Region] = field(default_factory=dict)
    staff: dict[str, Staff] = field(default_factory=dict)
    closed_case_id: int = 0
    open_case_id: int = 0
    task_id: int = 0
    patrol_id: int = 0


def _region(
    db: Session, code: str, level: str, polygon: shapely.Geometry, parent: Region | None
) -> Region:
    lnglat = metres_to_lnglat(polygon)
    minx, miny, maxx, maxy = lnglat.bounds
    c = lnglat.centroid
    region = Region(
        code=code,
        name=f"测试{level}{code[-3:]}",
        level=level,
        parent_id=parent.id if parent else None,
        geometry=to_geojson(lnglat),
        min_lng=minx,
        min_lat=miny,
        max_lng=maxx,
        max_lat=maxy,
        center_lng=c.x,
        center_lat=c.y,
        area_m2=area_m2(lnglat),
    )
    db.add(region)
    db.flush()
    return region


def build_community(
    db: Session,
    sizes: list[int],
    *,
    columns: int = 3,
    community: str = COMMUNITY,
    seed: int = 7,
    island: int | None = None,
) -> Built:
    """Grids laid out ``columns`` wide; ``sizes[i]`` households in grid i. ``island``: index of
    a grid placed 2 km away from the others (a community in two parts)."""
    rng = random.Random(seed)
    now = utcnow()
    rows = (len(sizes) + columns - 1) // columns
    frame = box(0, 0, columns * CELL, rows * CELL)
    # A second community of the same street reuses its district and street.
    district = db.scalar(select(Region).where(Region.code == community[:6])) or _region(
        db, community[:6], "district", frame.buffer(5000), None
    )
    street = db.scalar(select(Region).where(Region.code == community[:9])) or _region(
        db, community[:9], "street", frame.buffer(4000), district
    )
    parts = []
    origins = []
    for i in range(len(sizes)):
        x0, y0 = (i % columns) * CELL, (i // columns) * CELL
        if i == island:
            x0 += 2000
        origins.append((x0, y0))
        parts.append(box(x0, y0, x0 + CELL, y0 + CELL))
    comm = _region(db, community, "community", shapely.union_all(parts), street)
    built = Built(community=community, codes=[])
    houses: list[dict] = []
    households: list[dict] = []
    persons: list[dict] = []
    house_id = int(db.scalar(select(func.max(House.id))) or 0) + 1000
    for i, size in enumerate(sizes):
        code = f"{community}{i + 1:03d}"
        built.codes.append(code)
        x0, y0 = origins[i]
        built.regions[code] = _region(db, code, "grid", parts[i], comm)
        staff = Staff(staff_no=f"W{code}", name=f"网格员{i + 1}", kind="grid_worker")
        db.add(staff)
        db.flush()
        built.staff[code] = staff
        db.add(
            Assignment(
                staff_id=staff.id,
                region_id=built.regions[code].id,
                started_at=now - timedelta(days=90),
                reason="测试",
            )
        )
        left, number = size, 0
        while left > 0:
            number += 1
            flats = min(left, rng.choice((20, 30, 40, 60)))
            point = metres_to_lnglat(
                shapely.Point(x0 + rng.uniform(25, CELL - 25), y0 + rng.uniform(25, CELL - 25))
            )
            for flat in range(flats):
                house_id += 1
                common = {"grid_code": code, "changed_at": now, "change_source": "import"}
                houses.append(
                    {
                        "id": house_id,
                        "address": f"测试市{code}路{i + 1}号{number}栋{flat + 1:03d}室",
                        "building": f"{number}栋",
                        "room": f"{flat + 1:03d}",
                        "lng": point.x,
                        "lat": point.y,
                        **common,
                    }
                )
                households.append(
                    {
                        "id": house_id,
                        "household_no": f"H{house_id:08d}",
                        "house_id": house_id,
                        **common,
                    }
                )
                for member in range(2):
                    pid = house_id * 10 + member
                    persons.append(
                        {
                            "id": pid,
                            "id_number_enc": "x",
                            "id_number_hash": f"{community}-{pid:016d}",
                            "id_number_masked": "420502********0000",
                            "name": f"居民{pid}",
                            "name_pinyin": "ju min",
                            "name_initials": "jm",
                            "sex": "1",
                            "birth_date": date(1980, 1, 1),
                            "household_id": house_id,
                            "house_id": house_id,
                            **common,
                        }
                    )
            left -= flats
        centre = metres_to_lnglat(shapely.Point(x0 + CELL / 2, y0 + CELL / 2))
        db.add(
            Facility(
                code=f"42059901{community[-2:]}{i + 1:06d}",
                kind="manhole",
                name="井盖",
                grid_id=built.regions[code].id,
                grid_code=code,
                lng=centre.x,
                lat=centre.y,
            )
        )
    for model, records in ((House, houses), (Household, households), (Person, persons)):
        db.execute(insert(model), records)
    db.flush()
    refresh_grid_stats(db, grid_codes=built.codes)
    first = built.codes[0]
    centre = built.regions[first]
    for state, attr in (("closed", "closed_case_id"), ("dispatched", "open_case_id")):
        case = Case(
            number=f"T{community[-4:]}{state[:4]}",
            channel="worker",
            state=state,
            description="测试案件",
            reported_at=now - timedelta(days=40),
            lng=centre.center_lng,
            lat=centre.center_lat,
            grid_code=first,
        )
        db.add(case)
        db.flush()
        setattr(built, attr, case.id)
    task = Task(kind="visit", title="入户走访", grid_code=first, state="open")
    patrol = Patrol(
        uuid=f"00000000-0000-0000-0000-{community}",
        user_id=1,
        grid_code=first,
        day=(now - timedelta(days=35)).date(),
        started_at=now - timedelta(days=35),
        ended_at=now - timedelta(days=35, hours=-3),
        distance_m=4200.0,
    )
    db.add_all([task, patrol])
    db.flush()
    built.task_id, built.patrol_id = task.id, patrol.id
    return built


@pytest.fixture
def drifted(db: Session) -> Built:
    """Six grids: one grown to 500 households, one shrunk to 80, four within range."""
    return build_community(db, [500, 80, 250, 260, 240, 230])
