"""The city changes: a new compound fills a grid, a demolished quarter empties another, so grids
drift out of their 200–300 household range (what grid re-division is for)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import shapely
from rich.console import Console
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.grids.geometry import from_geojson
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import encrypt, lookup_hash, mask_id_number
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError
from gridgov.models.house import House, HouseUse
from gridgov.models.household import Household
from gridgov.models.person import LivingStatus, Person
from gridgov.models.region import BASE_LAYER, Region, RegionLevel
from gridgov.people.identifiers import make_resident_id
from gridgov.people.stats import refresh_grid_stats
from gridgov.redivision.service import propose

NEW_ROADS = ("新城路", "滨湖路", "云景路", "锦绣路")


@dataclass(frozen=True)
class Change:
    grid_code: str
    households: int  # added (> 0) or removed (< 0)


def grow(session: Session, *, grid_code: str, households: int, seed: int = 1) -> Change:
    """A new compound of 6-floor buildings (2 units, 2 flats a floor, 24 flats each) inside the
    grid, one household of two residents in each new flat."""
    rng = random.Random(seed)
    grid = session.scalar(
        select(Region).where(Region.code == grid_code, Region.layer == BASE_LAYER)
    )
    if grid is None or grid.level != RegionLevel.GRID.value:
        raise ValueError(f"no grid {grid_code}")
    polygon = from_geojson(grid.geometry)
    now = utcnow()
    house_id = int(session.scalar(select(func.max(House.id))) or 0)
    household_id = int(session.scalar(select(func.max(Household.id))) or 0)
    person_id = int(session.scalar(select(func.max(Person.id))) or 0)
    compound = f"宜昌市{rng.choice(NEW_ROADS)}{rng.randint(100, 999)}号{grid_code[-6:]}新苑"
    minx, miny, maxx, maxy = polygon.bounds
    left, number = households, 0
    used: set[str] = set()
    while left > 0:
        number += 1
        while True:
            lng, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if polygon.contains(shapely.Point(lng, lat)):
                break
        for flat in range(min(24, left)):
            house_id += 1
            household_id += 1
            unit, rest = divmod(flat, 12)
            floor, room = divmod(rest, 2)
            session.add(
                House(
                    id=house_id,
                    address=f"{compound}{number}栋{unit + 1}单元{floor + 1}{room + 1:02d}",
                    grid_code=grid_code,
                    building=f"{number}栋",
                    unit=f"{unit + 1}单元",
                    floor=floor + 1,
                    room=f"{floor + 1}{room + 1:02d}",
                    building_floors=6,
                    use=HouseUse.RESIDENCE.value,
                    lng=round(lng, 6),
                    lat=round(lat, 6),
                    changed_at=now,
                    change_source="import",
                )
            )
            session.add(
                Household(
                    id=household_id,
                    household_no=f"XY{household_id:010d}",
                    house_id=house_id,
                    grid_code=grid_code,
                    address=compound,
                    changed_at=now,
                    change_source="import",
                )
            )
            for member in range(2):
                person_id += 1
                birth, id_number = _new_id(session, rng, grid_code[:6], used)
                session.add(
                    Person(
                        id=person_id,
                        id_number_enc=encrypt(id_number),
                        id_number_hash=lookup_hash(id_number),
                        id_number_masked=mask_id_number(id_number),
                        name="新住户" + str(person_id)[-4:],
                        name_pinyin="xin zhu hu",
                        name_initials="xzh",
                        sex="1" if member == 0 else "2",
                        birth_date=birth,
                        household_id=household_id,
                        relation_to_head="head" if member == 0 else "spouse",
                        house_id=house_id,
                        grid_code=grid_code,
                        changed_at=now,
                        change_source="import",
                    )
                )
        left -= min(24, left)
    session.flush()
    refresh_grid_stats(session, grid_codes=[grid_code])
    return Change(grid_code, households)


def _new_id(
    session: Session, rng: random.Random, division: str, used: set[str]
) -> tuple[date, str]:
    """A resident ID nobody in the base has yet."""
    while True:
        birth = date(1960 + rng.randint(0, 40), rng.randint(1, 12), rng.randint(1, 28))
        id_number = make_resident_id(division, birth, rng.randint(1, 999))
        digest = lookup_hash(id_number)
        if digest in used:
            continue
        if session.scalar(select(Person.id).where(Person.id_number_hash == digest)) is None:
            used.add(digest)
            return birth, id_number


def shrink(session: Session, *, grid_code: str, keep: int) -> Change:
    """Demolition: the grid's buildings go one by one (whole buildings) until at most ``keep``
    households remain; their households and residents move away, their flats are demolished."""
    rows = session.execute(
        select(House.id, House.address, House.building)
        .where(House.grid_code == grid_code, House.status == "active")
        .order_by(House.id)
    ).all()
    buildings: dict[str, list[int]] = {}
    for house_id, address, building in rows:
        if building:
            buildings.setdefault(address[: address.find(building) + len(building)], []).append(
                house_id
            )
    held = dict(
        session.execute(
            select(Household.house_id, func.count())
            .where(Household.grid_code == grid_code, Household.status == "active")
            .group_by(Household.house_id)
        ).all()
    )
    total = sum(held.values())
    removed = 0
    for houses in sorted(buildings.values(), key=len):
        count = sum(held.get(h, 0) for h in houses)
        if total - removed - count < keep or not count:
            continue
        session.execute(update(House).where(House.id.in_(houses)).values(status="demolished"))
        session.execute(
            update(Household).where(Household.house_id.in_(houses)).values(status="moved_away")
        )
        session.execute(
            update(Person)
            .where(Person.house_id.in_(houses))
            .values(living_status=LivingStatus.MOVED_AWAY.value)
        )
        removed += count
        if total - removed <= keep:
            break
    session.flush()
    refresh_grid_stats(session, grid_codes=[grid_code])
    return Change(grid_code, -removed)


def demo_step(console: Console) -> None:
    """One community of the demo district drifts (a new compound, a demolition) and its
    re-division proposal waits for the district staff."""
    with job_session() as session:
        communities = session.scalars(
            select(Region.code)
            .where(
                Region.layer == BASE_LAYER,
                Region.level == RegionLevel.COMMUNITY.value,
                Region.code.like("420502%"),
            )
            .order_by(Region.code)
        ).all()
        # Not the first community: the demo grid worker's grid stays as it is.
        for community in communities[1:]:
            grids = session.scalars(
                select(Region.code)
                .where(Region.level == RegionLevel.GRID.value, Region.code.like(community + "%"))
                .order_by(Region.code)
            ).all()
            if len(grids) >= 4:
                break
        else:
            return
        grow(session, grid_code=grids[0], households=240)
        shrink(session, grid_code=grids[1], keep=110)
    try:
        with job_session() as session:
            proposal = propose(
                session,
                principal=system_principal("demo-redivision"),
                community_code=community,
                time_limit=5,
            )
            console.print(
                f"grid re-division: community {community} drifted, proposal {proposal.id} "
                f"({proposal.households_moved} households move) waits at /redivision"
            )
    except GridgovError as exc:
        console.print(f"grid re-division: {exc.message_en}")
