"""Behaviour of the grid model: the tree, point location, overlays and worker assignment."""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.grids.geometry import GridIndex, from_geojson
from gridgov.grids.repository import AssignmentRepository, RegionRepository
from gridgov.grids.schemas import (
    AssignmentRead,
    Located,
    RegionCounts,
    RegionDetail,
    RegionRead,
    StaffRead,
    WorkerRead,
)
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Conflict, NotFound
from gridgov.kit.pagination import PageParams, paginate
from gridgov.models import Assignment, Region
from gridgov.models.region import BASE_LAYER, RegionLevel
from gridgov.people.stats import PopulationCounts, population_counts


def get_region(session: Session, *, code: str) -> Region:
    region = RegionRepository(session).get_by_code(code)
    if region is None:
        raise NotFound(f"区域 {code} 不存在", f"Region {code} does not exist")
    return region


def list_regions(
    session: Session,
    *,
    level: RegionLevel | None,
    layer: str,
    parent_code: str | None,
    page: PageParams,
) -> tuple[list[Region], int]:
    repo = RegionRepository(session)
    if parent_code is not None:
        get_region(session, code=parent_code)
    return paginate(
        session, repo.list_statement(level=level, layer=layer, parent_code=parent_code), page
    )


def region_detail(session: Session, *, code: str) -> RegionDetail:
    repo = RegionRepository(session)
    region = get_region(session, code=code)
    facilities = repo.facility_counts(region)
    current = AssignmentRepository(session).current_staff(region)
    worker = (
        WorkerRead(**StaffRead.model_validate(current[1]).model_dump(), since=current[0].started_at)
        if current
        else None
    )
    is_base = region.layer == BASE_LAYER
    ancestors = repo.ancestors(region)
    covers = [] if is_base else repo.grids_covered_by(region)
    population = _population(session, region, covers)
    return RegionDetail(
        **RegionRead.model_validate(region).model_dump(),
        parent_code=ancestors[-1].code if ancestors else None,
        ancestors=[RegionRead.model_validate(a) for a in ancestors],
        counts=RegionCounts(
            grids=repo.grid_count(region),
            households=population.households,
            persons=population.persons,
            population=population.as_dict(),
            facilities=sum(facilities.values()),
            facilities_by_kind=facilities,
        ),
        worker=worker,
        covered_by=[RegionRead.model_validate(r) for r in repo.overlays_covering(region)]
        if is_base and region.level == RegionLevel.GRID
        else [],
        covers=[RegionRead.model_validate(r) for r in covers],
    )


def _population(session: Session, region: Region, covered: list[Region]) -> PopulationCounts:
    """Population of a base region (by code prefix) or of the grids an overlay covers."""
    codes = [region.code] if region.layer == BASE_LAYER else [grid.code for grid in covered]
    total = PopulationCounts()
    for counts in population_counts(session, region_codes=codes).values():
        total.add(counts)
    return total


def geojson_collection(
    session: Session, *, level: RegionLevel | None, layer: str, parent_code: str | None
) -> str:
    """A FeatureCollection as text: stored geometries are spliced in without re-parsing."""
    if parent_code is not None:
        get_region(session, code=parent_code)
    stmt = RegionRepository(session).list_statement(
        level=level, layer=layer, parent_code=parent_code
    )
    features = []
    for region in session.scalars(stmt):
        properties = json.dumps(
            {
                "code": region.code,
                "name": region.name,
                "level": region.level,
                "layer": region.layer,
                "center": [region.center_lng, region.center_lat],
            },
            ensure_ascii=False,
        )
        features.append(
            f'{{"type":"Feature","properties":{properties},"geometry":{region.geometry}}}'
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


def overlay_grids(session: Session, *, code: str) -> list[Region]:
    region = get_region(session, code=code)
    if region.layer == BASE_LAYER:
        raise BadRequest(f"{code} 不是叠加图层网格", f"{code} is not an overlay region")
    return RegionRepository(session).grids_covered_by(region)


def grid_overlays(session: Session, *, code: str) -> list[Region]:
    region = get_region(session, code=code)
    if region.layer != BASE_LAYER or region.level != RegionLevel.GRID:
        raise BadRequest(f"{code} 不是社区网格", f"{code} is not a community grid")
    return RegionRepository(session).overlays_covering(region)


# --- point location -------------------------------------------------------------------------

_index_lock = threading.Lock()
# Per database: (revision, index, when the revision was last checked).
_index_cache: dict[str, tuple[tuple[int, datetime | None], GridIndex, float]] = {}
# How long a process trusts its index before asking the database whether grids changed. Region
# writes in this process drop the index at once (events below); other processes' writes are
# seen within this time.
REVISION_CHECK_SECONDS = 5.0


def forget_grid_index(session: Session) -> None:
    _index_cache.pop(str(session.get_bind().engine.url), None)


@event.listens_for(Session, "before_flush")
def _regions_flushed(session: Session, _context: object, _instances: object) -> None:
    changed = (session.new, session.dirty, session.deleted)
    if any(isinstance(obj, Region) for objects in changed for obj in objects):
        forget_grid_index(session)


@event.listens_for(Session, "do_orm_execute")
def _regions_written_in_bulk(state: ORMExecuteState) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and (
        state.bind_mapper is not None and state.bind_mapper.class_ is Region
    ):
        forget_grid_index(state.session)


def grid_index(session: Session) -> GridIndex:
    """The STRtree over all grids, rebuilt only when the grids changed."""
    key = str(session.get_bind().engine.url)
    cached = _index_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[2] < REVISION_CHECK_SECONDS:
        return cached[1]
    repo = RegionRepository(session)
    revision = repo.grid_revision()
    if cached is not None and cached[0] == revision:
        _index_cache[key] = (revision, cached[1], now)
        return cached[1]
    with _index_lock:
        index = GridIndex.build([(code, from_geojson(g)) for code, g in repo.all_grids()])
        _index_cache[key] = (revision, index, now)
    return index


def locate(session: Session, *, lng: float, lat: float) -> Located | None:
    """The grid (with its community, street and district) containing a point, or None."""
    code = grid_index(session).locate(lng, lat)
    if code is None:
        return None
    regions = {
        r.code: r
        for r in RegionRepository(session).get_many_by_code([code[:6], code[:9], code[:12], code])
    }

    def read(c: str) -> RegionRead | None:
        return RegionRead.model_validate(regions[c]) if c in regions else None

    grid = read(code)
    assert grid is not None
    return Located(
        grid=grid, community=read(code[:12]), street=read(code[:9]), district=read(code[:6])
    )


def require_located(session: Session, *, lng: float, lat: float) -> Located:
    located = locate(session, lng=lng, lat=lat)
    if located is None:
        raise NotFound(
            f"坐标 ({lng}, {lat}) 不在本市任何网格内",
            f"The point ({lng}, {lat}) lies outside every grid of the city",
        )
    return located


# --- grid workers -----------------------------------------------------------------------------


def assignment_history(session: Session, *, code: str) -> list[AssignmentRead]:
    region = get_region(session, code=code)
    return [
        AssignmentRead(
            staff=StaffRead.model_validate(staff),
            started_at=assignment.started_at,
            ended_at=assignment.ended_at,
            reason=assignment.reason,
        )
        for assignment, staff in AssignmentRepository(session).history(region)
    ]


def assign_worker(
    session: Session, *, principal: Principal, code: str, staff_no: str, reason: str
) -> Assignment:
    """Make ``staff_no`` responsible for region ``code``; the previous worker of the region and
    the worker's previous region are released. History is kept (assignments are only ended)."""
    region = get_region(session, code=code)
    if region.layer == BASE_LAYER and region.level != RegionLevel.GRID:
        raise BadRequest(
            "只能为网格或叠加图层网格指定工作人员",
            "Staff are assigned to grids or overlay regions only",
        )
    repo = AssignmentRepository(session)
    staff = repo.staff_by_no(staff_no)
    if staff is None:
        raise NotFound(f"工作人员 {staff_no} 不存在", f"Staff member {staff_no} does not exist")
    if not staff.active:
        raise Conflict(f"工作人员 {staff_no} 已停用", f"Staff member {staff_no} is inactive")
    expected_kind = "grid_worker" if region.layer == BASE_LAYER else "inspector"
    if staff.kind != expected_kind:
        raise BadRequest(
            f"{staff.name} 的岗位类型不能负责该区域",
            f"Staff of kind {staff.kind} cannot be assigned to this region",
        )
    now = utcnow()
    current = repo.current_staff(region)
    if current is not None and current[1].id == staff.id:
        raise Conflict(f"{staff.name} 已负责该网格", f"{staff_no} is already assigned to {code}")
    ended = []
    for previous in filter(None, [current[0] if current else None, repo.open_for_staff(staff)]):
        previous.ended_at = now
        ended.append(previous.id)
    session.flush()
    assignment = repo.add(
        Assignment(staff_id=staff.id, region_id=region.id, started_at=now, reason=reason)
    )
    trail.record(
        session,
        action="grid.assign_worker",
        object_type="region",
        object_id=code,
        principal=principal,
        before={"staff_no": current[1].staff_no} if current else None,
        after={"staff_no": staff_no, "reason": reason, "ended_assignments": ended},
    )
    return assignment
