"""Pages that are not owned by one domain: the city map."""

from __future__ import annotations

import json
import threading
import time
from typing import Annotated, Any

import shapely
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.auth.deps import PagePrincipal
from gridgov.config import Settings
from gridgov.grids.facilities import FACILITY_KINDS
from gridgov.kit.db import request_session
from gridgov.kit.errors import BadRequest
from gridgov.models.basemap import BasemapFeature
from gridgov.models.region import BASE_LAYER, Region
from gridgov.web.i18n import (
    N_,
    add_vocabulary,
    gettext,
    pick,
    request_language,
)
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
add_nav(N_("网格地图"), "/")

# The words map.js shows, by the names it looks them up with.
MAP_STRINGS = {
    "map.code": N_("编码"),
    "map.level": N_("层级"),
    "map.households": N_("户数"),
    "map.persons": N_("人口"),
    "map.facilities": N_("部件设施"),
    "map.grids": N_("网格数"),
    "map.worker": N_("网格员"),
    "map.inspector": N_("巡查员"),
    "map.none": N_("暂无"),
    "map.loading": N_("加载中…"),
    "map.covers": N_("覆盖社区网格"),
    "map.covered_by": N_("所属工商巡查网格"),
    "level.district": N_("区"),
    "level.street": N_("街道"),
    "level.community": N_("社区"),
    "level.grid": N_("网格"),
    "level.overlay": N_("叠加网格"),
    "map.district": N_("区"),
    "map.street": N_("街道"),
    "map.community": N_("社区"),
    "map.grid": N_("网格"),
    "map.commerce": N_("工商巡查网格"),
}
add_vocabulary(
    "region_level",
    {key.removeprefix("level."): text for key, text in MAP_STRINGS.items() if "level." in key},
)


# The grid panel and the map search (issue 10).
PANEL_STRINGS: dict[str, str] = {
    "panel.open": N_("未结案件"),
    "panel.overdue": N_("超期案件"),
    "panel.people": N_("实有人口"),
    "panel.patrol": N_("今日巡查（分钟）"),
    "panel.search": N_("搜索网格、社区或地址"),
    "panel.nothing": N_("未找到"),
}


@router.get("/", response_class=HTMLResponse)
def city_map(request: Request, principal: PagePrincipal) -> HTMLResponse:
    """The city map: every boundary level, click for the region's code, counts and worker."""
    language = request_language(request)
    strings = {key: gettext(language, text) for key, text in MAP_STRINGS.items()}
    strings.update({key: gettext(language, text) for key, text in PANEL_STRINGS.items()})
    strings.update(
        {f"kind.{key}": pick(language, k.name_zh, k.name_en) for key, k in FACILITY_KINDS.items()}
    )
    return render(request, "map.html", principal=principal, map_strings=strings)


# ---------------------------------------------------------------- background map (public)
DbSession = Annotated[Session, Depends(request_session, scope="function")]
TIANDITU = "https://t{s}.tianditu.gov.cn/DataServer?T={layer}_w&x={x}&y={y}&l={z}&tk={key}"
# Which kinds of the vector base map are drawn from which zoom on (few features when far out).
BASEMAP_ZOOM = {"road": 0, "lane": 13, "compound": 14, "building": 16}
BASEMAP_LIMIT = 5000


def basemap_config(settings: Settings) -> dict[str, Any]:
    """Tile layers when a tile source is configured, else the stored vector base map."""
    if settings.map_tile_url:
        tiles = [{"url": settings.map_tile_url, "attribution": settings.map_tile_attribution}]
        return {"tiles": tiles, "vector": False}
    if settings.map_tianditu_key:
        key = settings.map_tianditu_key
        tiles = [
            {
                "url": TIANDITU.replace("{layer}", layer).replace("{key}", key),
                "subdomains": "01234567",
                "attribution": settings.map_tile_attribution or "天地图",
            }
            for layer in ("vec", "cva")
        ]
        return {"tiles": tiles, "vector": False}
    return {"tiles": [], "vector": True, "zoom": BASEMAP_ZOOM}


@router.get("/map/basemap-config.json")
def basemap_config_json(request: Request) -> JSONResponse:
    return JSONResponse(basemap_config(request.app.state.settings))


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        minx, miny, maxx, maxy = (float(part) for part in text.split(","))
    except ValueError:
        raise BadRequest(
            "范围格式应为 最小经度,最小纬度,最大经度,最大纬度",
            "bbox must be min_lng,min_lat,max_lng,max_lat",
        ) from None
    return minx, miny, maxx, maxy


@router.get("/map/basemap.geojson")
def basemap_geojson(
    session: DbSession,
    bbox: Annotated[str, Query(max_length=120)],
    zoom: Annotated[int, Query(ge=0, le=22)] = 14,
) -> Response:
    """Roads, compounds and buildings crossing the view (public geography, no personal data)."""
    minx, miny, maxx, maxy = _bbox(bbox)
    kinds = [kind for kind, since in BASEMAP_ZOOM.items() if zoom >= since]
    rows = session.execute(
        select(BasemapFeature.kind, BasemapFeature.name, BasemapFeature.geometry)
        .where(
            BasemapFeature.kind.in_(kinds),
            BasemapFeature.min_lng <= maxx,
            BasemapFeature.max_lng >= minx,
            BasemapFeature.min_lat <= maxy,
            BasemapFeature.max_lat >= miny,
        )
        .order_by(BasemapFeature.id)
        .limit(BASEMAP_LIMIT)
    ).all()
    features = [
        '{"type":"Feature","properties":'
        + json.dumps({"kind": kind, "name": name}, ensure_ascii=False)
        + ',"geometry":'
        + geometry
        + "}"
        for kind, name, geometry in rows
    ]
    body = '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"
    return Response(body, media_type="application/geo+json")


_outline_lock = threading.Lock()
_outline: dict[str, tuple[float, str]] = {}
OUTLINE_SECONDS = 300.0


@router.get("/map/city.geojson")
def city_outline(request: Request, session: DbSession) -> Response:
    """The city's outline, for residents placing a pin (the grids themselves need sign-in)."""
    url = request.app.state.settings.database_url
    with _outline_lock:
        cached = _outline.get(url)
        if cached is not None and time.monotonic() - cached[0] < OUTLINE_SECONDS:
            return Response(cached[1], media_type="application/geo+json")
    shapes = [
        shapely.geometry.shape(json.loads(text))
        for text in session.scalars(
            select(Region.geometry).where(Region.layer == BASE_LAYER, Region.level == "district")
        )
    ]
    if shapes:
        outline = shapely.union_all(shapes).buffer(0).simplify(0.0001)
        geometry = json.dumps(shapely.geometry.mapping(outline))
        body = '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        body += f'"geometry":{geometry}' + "}]}"
    else:
        body = '{"type":"FeatureCollection","features":[]}'
    with _outline_lock:
        _outline[url] = (time.monotonic(), body)
    return Response(body, media_type="application/geo+json")
