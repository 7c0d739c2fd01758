"""Drift: which grids have left the 200–300 household range, and their other loads."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.kit.clock import city_zone, utcnow
from gridgov.kit.errors import NotFound
from gridgov.models.redivision import ProposalState
from gridgov.models.region import BASE_LAYER, Region, RegionLevel
from gridgov.redivision.repository import RedivisionRepository
from gridgov.redivision.rules import LOWER, UPPER
from gridgov.redivision.schemas import CommunityDrift, DriftCheck, DriftRead, GridLoad

WINDOW_DAYS = 30


def deviation(households: int, lower: int = LOWER, upper: int = UPPER) -> float:
    """How far outside the range, as a share of the bound crossed (0 inside)."""
    if households < lower:
        return round((households - lower) / lower, 3)
    if households > upper:
        return round((households - upper) / upper, 3)
    return 0.0


def drift(
    session: Session, *, principal: Principal, region_code: str, only_out_of_range: bool = False
) -> DriftRead:
    """Loads of every grid under ``region_code`` (a district, street or community the caller
    may read), and per community how many grids are out of range."""
    repo = RedivisionRepository(session, principal)
    grids = repo.grids(region_code)
    if not grids:
        raise NotFound(
            f"区域 {region_code} 不存在或其中没有网格",
            f"Region {region_code} does not exist or holds no grids",
        )
    since = utcnow() - timedelta(days=WINDOW_DAYS)
    counts = repo.load_counts(region_code, since)
    patrol_m = repo.patrol_metres_by_grid(region_code, since)
    workers = repo.workers([g.id for g in grids])
    loads = [
        GridLoad(
            code=g.code,
            name=g.name,
            households=counts["households"].get(g.code, 0),
            persons=counts["persons"].get(g.code, 0),
            organisations=counts["organisations"].get(g.code, 0),
            facilities=counts["facilities"].get(g.code, 0),
            area_km2=round(g.area_m2 / 1e6, 3),
            patrol_km_per_day=round(patrol_m.get(g.code, 0.0) / 1000 / WINDOW_DAYS, 2),
            cases_per_month=counts["cases"].get(g.code, 0),
            open_cases=counts["open_cases"].get(g.code, 0),
            deviation=deviation(counts["households"].get(g.code, 0)),
            worker=workers[g.id].name if g.id in workers else None,
        )
        for g in grids
    ]
    open_proposals: dict[str, int] = {}
    for proposal in repo.proposals(region_code, limit=500):
        if proposal.state == ProposalState.DRAFT:
            open_proposals.setdefault(proposal.community_code, proposal.id)
    communities = []
    for community in repo.communities(region_code[:12]):
        inside = [load for load in loads if load.code.startswith(community.code)]
        communities.append(
            CommunityDrift(
                code=community.code,
                name=community.name,
                grids=len(inside),
                out_of_range=sum(1 for load in inside if load.deviation),
                households=sum(load.households for load in inside),
                open_proposal_id=open_proposals.get(community.code),
            )
        )
    communities.sort(key=lambda c: (-c.out_of_range, c.code))
    checked = repo.latest_check(region_code)
    if checked:
        then = {row.grid_code: row.households for row in checked}
        for load in loads:
            load.households_at_check = then.get(load.code)
    return DriftRead(
        region_code=region_code,
        lower=LOWER,
        upper=UPPER,
        communities=communities,
        grids=[load for load in loads if load.deviation] if only_out_of_range else loads,
        last_check=DriftCheck(
            day=checked[0].day,
            checked_at=max(row.checked_at for row in checked),
            out_of_range=sum(1 for row in checked if row.deviation),
        )
        if checked
        else None,
    )


def check(session: Session, *, principal: Principal, now: datetime) -> int:
    """The scheduler's daily check (job ``redivision.drift``): every district's grids with
    their loads, stored as the day's row per grid. Returns the grids out of range."""
    day = now.astimezone(city_zone()).date()
    districts = session.scalars(
        select(Region.code)
        .where(Region.layer == BASE_LAYER, Region.level == RegionLevel.DISTRICT.value)
        .order_by(Region.code)
    ).all()
    out = 0
    for district in districts:
        try:
            read = drift(session, principal=principal, region_code=district)
        except NotFound:  # a district without grids yet
            continue
        rows = [
            {
                "day": day,
                "checked_at": now,
                **load.model_dump(
                    include={
                        "households",
                        "persons",
                        "organisations",
                        "facilities",
                        "area_km2",
                        "patrol_km_per_day",
                        "cases_per_month",
                        "open_cases",
                        "deviation",
                    }
                ),
                "grid_code": load.code,
            }
            for load in read.grids
        ]
        RedivisionRepository(session, principal).store_check(district, day, rows)
        out += sum(1 for load in read.grids if load.deviation)
    return out


def drift_geojson(grids: list[Region], loads: list[GridLoad]) -> str:
    """Grid polygons with households and deviation, for the map's colouring."""
    by_code = {load.code: load for load in loads}
    features = []
    for grid in grids:
        load = by_code.get(grid.code)
        props = json.dumps(
            {
                "code": grid.code,
                "name": grid.name,
                "households": load.households if load else 0,
                "deviation": load.deviation if load else 0.0,
            },
            ensure_ascii=False,
        )
        features.append(f'{{"type":"Feature","properties":{props},"geometry":{grid.geometry}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
