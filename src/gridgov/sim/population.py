"""Synthetic population, housing and organisations for the synthetic city.

Each grid gets one residential compound of apartment buildings inside its polygon
(``sim.compounds``), households of a realistic size with relations to the head
(``sim.households``) and residents with valid unique GB 11643 IDs, an age pyramid, ~20 %
floating residents, care and special-population tags (``sim.residents``), and a few shops and
restaurants with valid GB 32100 codes.

Deterministic for a seed. Rows are drawn with numpy a batch of grids at a time, column by column,
and bulk-loaded (COPY on PostgreSQL); for a big city a forked process draws and encodes the
batches while this one loads them, so the reference city (1,110 grids) loads in well under a
minute.
"""

from __future__ import annotations

import multiprocessing as mp
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.kit.clock import utcnow
from gridgov.kit.models import Base
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.people.bulk import (
    Columns,
    Encoded,
    analyze,
    deferred_foreign_keys,
    deferred_indexes,
    encode,
    next_id,
    sync_sequence,
    write,
)
from gridgov.people.stats import refresh_grid_stats
from gridgov.sim.compounds import Compounds, Site
from gridgov.sim.progress import ProgressSink, Silent
from gridgov.sim.residents import Residents


@dataclass(frozen=True)
class GridSite:
    region_id: int
    code: str  # 15-digit grid code
    district_code: str  # 6 digits
    polygon: shapely.Polygon  # WGS84 lng/lat
    households: int  # 200–300


@dataclass(frozen=True)
class PopulationSummary:
    grids: int
    houses: int
    households: int
    persons: int
    organisations: int


YICHANG_DISTRICTS = {
    "420502": "西陵区",
    "420503": "伍家岗区",
    "420504": "点军区",
    "420505": "猇亭区",
    "420506": "夷陵区",
}
# Grids per batch: small enough that loading starts early and the last batch loads quickly,
# big enough for numpy to pay off.
CHUNK_GRIDS = 25
# From this many grids on, generation runs in a forked process beside the loading.
PARALLEL_FROM_GRIDS = 200
TABLES: tuple[type[Base], ...] = (House, Household, Person, Organisation)


@dataclass(frozen=True)
class _Start:
    """What the builder needs from the database, read once before generating."""

    ids: tuple[int, int, int, int]  # next house, household, person, organisation id
    district_names: dict[str, str]
    today: date
    now: datetime

    @classmethod
    def read(cls, session: Session) -> _Start:
        names = dict(YICHANG_DISTRICTS)
        for code, name in session.execute(
            select(Region.code, Region.name).where(Region.level == "district")
        ):
            names[code] = name
        ids = (
            next_id(session, House),
            next_id(session, Household),
            next_id(session, Person),
            next_id(session, Organisation),
        )
        return cls(ids=ids, district_names=names, today=date.today(), now=utcnow())


@dataclass(frozen=True)
class _Batch:
    """One batch of grids, encoded for the database, table by table (in ``TABLES`` order)."""

    grids: int
    tables: tuple[Encoded, ...]


class _Generator:
    """Draws the population batch after batch from one seed; ids continue from ``start``."""

    def __init__(self, seed: int, start: _Start) -> None:
        gen = np.random.default_rng(seed)
        house_id, household_id, person_id, org_id = start.ids
        self.compounds = Compounds(
            rng=random.Random(seed), gen=gen, today=start.today, house_id=house_id, org_id=org_id
        )
        self.residents = Residents(
            gen=gen, today=start.today, household_id=household_id, person_id=person_id
        )
        self.district_names = dict(start.district_names)
        self.meta = {
            "version": 1,
            "changed_at": start.now,
            "changed_by_id": None,
            "changed_by_name": "sim",
            "change_source": "system",
            "change_reason": "模拟城市 synthetic city",
        }

    def columns(self, grids: Sequence[GridSite]) -> dict[type[Base], Columns]:
        sites = [
            Site(
                code=grid.code,
                district_code=grid.district_code,
                district_name=self.district_names.get(grid.district_code, ""),
                polygon=grid.polygon,
                households=grid.households,
            )
            for grid in grids
        ]
        estate = self.compounds.build(sites)
        households, persons = self.residents.build(sites, estate)
        active = self.meta | {"status": "active"}
        return {
            House: Columns(estate.houses, active),
            Household: Columns(households, active),
            Person: Columns(persons, self.meta),
            Organisation: Columns(estate.orgs, active),
        }


def _generate(
    seed: int, start: _Start, grids: Sequence[GridSite], dialect: str
) -> Iterator[_Batch]:
    generator = _Generator(seed, start)
    for first in range(0, len(grids), CHUNK_GRIDS):
        chunk = grids[first : first + CHUNK_GRIDS]
        columns = generator.columns(chunk)
        yield _Batch(len(chunk), tuple(encode(dialect, model, columns[model]) for model in TABLES))


def _producer(
    seed: int, start: _Start, grids: Sequence[GridSite], dialect: str, queue: Any
) -> None:
    try:
        for batch in _generate(seed, start, grids, dialect):
            queue.put(batch)
        queue.put(None)
    except BaseException as exc:  # report to the loading process instead of hanging it
        queue.put(exc)


def _batches(seed: int, start: _Start, grids: Sequence[GridSite], dialect: str) -> Iterator[_Batch]:
    """Generated batches. For a big city a forked process generates the next batches while this
    one loads the previous ones (same order and content as generating inline)."""
    if len(grids) < PARALLEL_FROM_GRIDS or "fork" not in mp.get_all_start_methods():
        yield from _generate(seed, start, grids, dialect)
        return
    context = mp.get_context("fork")
    queue = context.Queue(maxsize=4)
    process = context.Process(
        target=_producer, args=(seed, start, grids, dialect, queue), daemon=True
    )
    process.start()
    try:
        while True:
            item = queue.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()


def populate(
    session: Session,
    *,
    grids: Sequence[GridSite],
    seed: int,
    progress: ProgressSink | None = None,
) -> PopulationSummary:
    """Fill the population base for ``grids`` (adds to the session's transaction, never commits).
    ``progress`` sees the phases "population" (advanced by grids loaded), "indexes" (rebuilt after
    the load) and "statistics"."""
    sink = progress or Silent()
    sink.start("population", len(grids))
    start = _Start.read(session)
    dialect = session.get_bind().dialect.name
    rows = {model: 0 for model in TABLES}
    expected = sum(site.households for site in grids)
    with (
        deferred_indexes(session, [House, Household, Person], expected),
        deferred_foreign_keys(session, [Household, Person, Organisation], expected),
    ):
        for batch in _batches(seed, start, grids, dialect):
            for model, encoded in zip(TABLES, batch.tables, strict=True):
                write(session, encoded)
                rows[model] += encoded.rows
            sink.advance(batch.grids)
        sink.start("indexes", 1)
    sink.start("statistics", 1)
    for model in TABLES:
        sync_sequence(session, model)
    analyze(session, TABLES)
    refresh_grid_stats(session, grid_codes=[site.code for site in grids])
    return PopulationSummary(
        grids=len(grids),
        houses=rows[House],
        households=rows[Household],
        persons=rows[Person],
        organisations=rows[Organisation],
    )
