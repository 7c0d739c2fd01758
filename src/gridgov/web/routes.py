"""Pages that are not owned by one domain: the city map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gridgov.auth.deps import PagePrincipal
from gridgov.web.i18n import add_messages, request_language, translate
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
add_nav("nav.map", "/")

add_messages(
    {
        "map.title": {"zh-CN": "网格地图", "en": "Grid map"},
        "map.district": {"zh-CN": "区", "en": "Districts"},
        "map.street": {"zh-CN": "街道", "en": "Streets"},
        "map.community": {"zh-CN": "社区", "en": "Communities"},
        "map.grid": {"zh-CN": "网格", "en": "Grids"},
        "map.commerce": {"zh-CN": "工商巡查网格", "en": "Commerce inspection grids"},
        "map.code": {"zh-CN": "编码", "en": "Code"},
        "map.level": {"zh-CN": "层级", "en": "Level"},
        "map.households": {"zh-CN": "户数", "en": "Households"},
        "map.persons": {"zh-CN": "人口", "en": "Persons"},
        "map.facilities": {"zh-CN": "部件设施", "en": "Facilities"},
        "map.grids": {"zh-CN": "网格数", "en": "Grids"},
        "map.worker": {"zh-CN": "网格员", "en": "Grid worker"},
        "map.inspector": {"zh-CN": "巡查员", "en": "Inspector"},
        "map.none": {"zh-CN": "暂无", "en": "none"},
        "map.loading": {"zh-CN": "加载中…", "en": "Loading…"},
        "map.hint": {
            "zh-CN": "点击区域查看编码、统计和网格员",
            "en": "Click a region for its code, counts and worker",
        },
        "map.covers": {"zh-CN": "覆盖社区网格", "en": "Covers community grids"},
        "map.covered_by": {"zh-CN": "所属工商巡查网格", "en": "Commerce inspection grid"},
        "level.district": {"zh-CN": "区", "en": "district"},
        "level.street": {"zh-CN": "街道", "en": "street"},
        "level.community": {"zh-CN": "社区", "en": "community"},
        "level.grid": {"zh-CN": "网格", "en": "grid"},
        "level.overlay": {"zh-CN": "叠加网格", "en": "overlay grid"},
    }
)

MAP_STRINGS = [
    "map.code",
    "map.level",
    "map.households",
    "map.persons",
    "map.facilities",
    "map.grids",
    "map.worker",
    "map.inspector",
    "map.none",
    "map.loading",
    "map.covers",
    "map.covered_by",
    "level.district",
    "level.street",
    "level.community",
    "level.grid",
    "level.overlay",
    "map.district",
    "map.street",
    "map.community",
    "map.grid",
    "map.commerce",
]


@router.get("/", response_class=HTMLResponse)
def city_map(request: Request, principal: PagePrincipal) -> HTMLResponse:
    """The city map: every boundary level, click for the region's code, counts and worker."""
    language = request_language(request)
    strings = {key: translate(key, language) for key in MAP_STRINGS}
    return render(request, "map.html", principal=principal, map_strings=strings)
