"""Grid re-division benchmark: proposals for every drifted community of ~60 grids.

Builds a synthetic city of ``--grids`` grids (default 60, two streets) on a fresh SQLite
database, makes one grid of each community drift (a new compound of 240 households in one,
demolition down to 110 in the next), then computes a proposal for every community with drift.
Prints the total beside the baseline measured in the same run: loading the same communities'
building graphs (what every proposal reads before the solver starts), and the drift query over
the whole area.

Usage: python bench/redivision.py [--grids 60] [--time-limit 10]
A whole district of the reference city (about 222 grids): --grids 222.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import system_principal
from gridgov.kit.db import make_engine
from gridgov.kit.errors import GridgovError
from gridgov.kit.migrations import upgrade
from gridgov.models.region import BASE_LAYER, Region, RegionLevel
from gridgov.redivision import service
from gridgov.redivision.drift import drift
from gridgov.sim.city import build_city
from gridgov.sim.growth import grow, shrink


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--grids", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="gridgov-bench-redivision-"))
    url = f"sqlite:///{directory / 'bench.db'}"
    os.environ["GRIDGOV_DATABASE_URL"] = url
    upgrade(url)
    engine = make_engine(url)
    principal = system_principal("bench-redivision")
    with Session(engine) as session:
        build_city(session, grids=args.grids, seed=5)
        session.commit()
    with Session(engine) as session:
        communities = list(
            session.scalars(
                select(Region.code)
                .where(Region.layer == BASE_LAYER, Region.level == RegionLevel.COMMUNITY.value)
                .order_by(Region.code)
            )
        )
        for n, community in enumerate(communities):
            grids = list(
                session.scalars(
                    select(Region.code)
                    .where(
                        Region.level == RegionLevel.GRID.value, Region.code.like(community + "%")
                    )
                    .order_by(Region.code)
                )
            )
            if len(grids) < 2:
                continue
            if n % 2:
                shrink(session, grid_code=grids[0], keep=110)
            else:
                grow(session, grid_code=grids[0], households=240, seed=n)
        session.commit()
    district = communities[0][:6]

    with Session(engine) as session:
        start = time.perf_counter()
        read = drift(session, principal=principal, region_code=district)
        drift_s = time.perf_counter() - start
        drifted = [c.code for c in read.communities if c.out_of_range]
        start = time.perf_counter()
        for code in drifted:
            service.load_division(session, principal=principal, community_code=code)
        graph_s = time.perf_counter() - start

    outcomes: dict[str, str] = {}
    start = time.perf_counter()
    for code in drifted:
        with Session(engine) as session:
            t0 = time.perf_counter()
            try:
                proposal = service.propose(
                    session, principal=principal, community_code=code, time_limit=args.time_limit
                )
                outcomes[code] = (
                    f"{proposal.solver_status}, {proposal.households_moved} households move, "
                    f"{time.perf_counter() - t0:.1f} s"
                )
            except GridgovError as exc:
                outcomes[code] = f"no proposal: {exc.message_en} ({time.perf_counter() - t0:.1f} s)"
            session.rollback()
    total_s = time.perf_counter() - start

    grid_count = len(read.grids)
    print(
        f"area {district}: {grid_count} grids, {len(communities)} communities, {len(drifted)} drifted"
    )
    for code, outcome in outcomes.items():
        print(f"  {code}: {outcome}")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"baseline: drift query over {grid_count} grids {drift_s * 1000:.0f} ms")
    print(f"baseline: building graphs of the drifted communities {graph_s:.2f} s")
    print(
        f"proposals for all drifted communities: {total_s:.1f} s "
        f"({total_s / max(graph_s, 1e-9):.0f}x the graph building; "
        f"target: {'a district < 600 s' if grid_count > 100 else 'a street < 60 s'})"
    )


if __name__ == "__main__":
    main()
