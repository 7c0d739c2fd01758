"""HTTP API of the grid model."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import current_principal, require_roles
from gridgov.authz.principal import Principal, Role
from gridgov.grids import service
from gridgov.grids.schemas import (
    AssignmentCreate,
    AssignmentRead,
    Located,
    RegionDetail,
    RegionRead,
)
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.kit.pagination import Page, PageParams, page_params
from gridgov.models.region import BASE_LAYER, RegionLevel

router = APIRouter(tags=["grids"])

SessionDep = Annotated[Session, Depends(request_session, scope="function")]
SignedIn = Annotated[Principal, Depends(current_principal)]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not signed in"},
    404: {"description": "Unknown region"},
}


@router.get("/regions", response_model=Page[RegionRead], responses=ERRORS)
def list_regions(
    session: SessionDep,
    _principal: SignedIn,
    page: Annotated[PageParams, Depends(page_params)],
    level: RegionLevel | None = None,
    parent: Annotated[str | None, Query(max_length=24, description="Ancestor region code")] = None,
    layer: Annotated[str, Query(max_length=32)] = BASE_LAYER,
) -> Page[RegionRead]:
    """The region tree, one level at a time (e.g. the streets of a district)."""
    rows, total = service.list_regions(
        session, level=level, layer=layer, parent_code=parent, page=page
    )
    return Page.of(rows, total, page, RegionRead)


@router.get(
    "/regions.geojson",
    responses={200: {"content": {"application/geo+json": {}}}, **ERRORS},
    response_class=Response,
)
def regions_geojson(
    session: SessionDep,
    _principal: SignedIn,
    level: RegionLevel | None = None,
    layer: Annotated[str, Query(max_length=32)] = BASE_LAYER,
    parent: Annotated[str | None, Query(max_length=24)] = None,
) -> Response:
    """A GeoJSON FeatureCollection of the regions of one level (or an overlay layer)."""
    if layer != BASE_LAYER and level not in (None, RegionLevel.OVERLAY):
        raise BadRequest("叠加图层只有 overlay 层级", "Overlay layers have only the overlay level")
    body = service.geojson_collection(session, level=level, layer=layer, parent_code=parent)
    return Response(content=body, media_type="application/geo+json")


@router.get("/regions/{code}", response_model=RegionDetail, responses=ERRORS)
def get_region(code: str, session: SessionDep, _principal: SignedIn) -> RegionDetail:
    """One region with its counts (households, persons, facilities), worker and overlays."""
    return service.region_detail(session, code=code)


@router.get("/regions/{code}/assignments", response_model=list[AssignmentRead], responses=ERRORS)
def assignment_history(
    code: str, session: SessionDep, _principal: SignedIn
) -> list[AssignmentRead]:
    """Who has been responsible for the region, newest first."""
    return service.assignment_history(session, code=code)


@router.put(
    "/regions/{code}/worker",
    response_model=list[AssignmentRead],
    responses={**ERRORS, 403: {"description": "Not a system administrator"}, 409: {}},
)
def assign_worker(
    code: str,
    body: AssignmentCreate,
    session: SessionDep,
    principal: Annotated[Principal, Depends(require_roles(Role.SYSTEM_ADMIN))],
) -> list[AssignmentRead]:
    """Hand the grid (or overlay region) to another staff member; history is kept."""
    service.assign_worker(
        session, principal=principal, code=code, staff_no=body.staff_no, reason=body.reason
    )
    return service.assignment_history(session, code=code)


@router.get("/regions/{code}/overlays", response_model=list[RegionRead], responses=ERRORS)
def grid_overlays(code: str, session: SessionDep, _principal: SignedIn) -> list[RegionRead]:
    """Overlay regions (e.g. commerce inspection grids) covering a community grid."""
    return [RegionRead.model_validate(r) for r in service.grid_overlays(session, code=code)]


@router.get("/overlays/{code}/grids", response_model=list[RegionRead], responses=ERRORS)
def overlay_grids(code: str, session: SessionDep, _principal: SignedIn) -> list[RegionRead]:
    """The community grids an overlay region covers."""
    return [RegionRead.model_validate(r) for r in service.overlay_grids(session, code=code)]


@router.get("/locate", response_model=Located, responses=ERRORS)
def locate(
    session: SessionDep,
    _principal: SignedIn,
    lng: Annotated[float, Query(ge=-180, le=180)],
    lat: Annotated[float, Query(ge=-90, le=90)],
) -> Located:
    """The grid containing a point, with its community, street and district."""
    located = service.locate(session, lng=lng, lat=lat)
    if located is None:
        raise NotFound(
            f"坐标 ({lng}, {lat}) 不在本市任何网格内",
            f"The point ({lng}, {lat}) lies outside every grid of the city",
        )
    return located
