"""GeoJSON import and export of regions. An import is validated whole before anything is
written: one bad feature rejects the file and the database stays as it was."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.principal import Principal
from gridgov.grids.geometry import area_m2, from_geojson, parse_polygon, to_geojson
from gridgov.grids.schemas import ImportProblem, ImportReport
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, GridgovError
from gridgov.models import OverlayCoverage, Region
from gridgov.models.region import BASE_LAYER, LEVEL_BY_CODE_LENGTH, RegionLevel

# Slivers below this (deg², ≈ 0.01 m²) are floating-point noise, not overlaps.
AREA_TOLERANCE = 1e-12
# A child may stick out of its parent by this much (degrees, ≈ 1 cm) before it is "outside".
EDGE_TOLERANCE = 1e-7
CODE_PATTERN = re.compile(r"^\d+$")
OVERLAY_CODE_PATTERN = re.compile(r"^[A-Z]{2}\d{6,12}$")


class ImportRejected(GridgovError):
    status_code = 400
    code = "import_rejected"


@dataclass
class _Feature:
    index: int
    code: str
    name: str
    level: str
    layer: str
    geometry: BaseGeometry
    covers: list[str] = field(default_factory=list)


def export_geojson(session: Session, *, layer: str | None = None) -> dict[str, Any]:
    """Every region (base layer first, parents before children, then overlays)."""
    stmt = select(Region)
    if layer is not None:
        stmt = stmt.where(Region.layer == layer)
    regions = sorted(
        session.scalars(stmt), key=lambda r: (r.layer != BASE_LAYER, len(r.code), r.code)
    )
    covers: dict[int, list[str]] = {}
    if any(r.layer != BASE_LAYER for r in regions):
        rows = session.execute(
            select(OverlayCoverage.overlay_id, Region.code).join(
                Region, Region.id == OverlayCoverage.grid_id
            )
        )
        for overlay_id, grid_code in rows:
            covers.setdefault(overlay_id, []).append(grid_code)
    features = []
    for region in regions:
        properties: dict[str, Any] = {
            "code": region.code,
            "name": region.name,
            "level": region.level,
            "layer": region.layer,
        }
        if region.layer != BASE_LAYER:
            properties["covers"] = sorted(covers.get(region.id, []))
        features.append(
            {"type": "Feature", "properties": properties, "geometry": json.loads(region.geometry)}
        )
    return {"type": "FeatureCollection", "features": features}


def import_geojson(session: Session, *, document: Any, principal: Principal) -> ImportReport:
    """Create or update regions from a FeatureCollection; raise ``ImportRejected`` listing every
    problem (nothing is written then)."""
    problems: list[ImportProblem] = []
    features = _parse(document, problems)
    existing = {r.code: r for r in session.scalars(select(Region))}
    by_code = {f.code: f for f in features}
    if not problems:
        # The codes are unique here (a repeated code is a problem of its own).
        _check_hierarchy(by_code, existing, problems)
        _check_grid_overlaps(features, existing, problems)
        _check_overlays(by_code, existing, problems)
    if problems:
        raise ImportRejected(
            f"GeoJSON 导入被拒绝：{len(problems)} 个问题，未写入任何数据",
            f"GeoJSON import rejected: {len(problems)} problem(s); nothing was written",
            problems=[p.model_dump() for p in problems],
        )
    return _write(session, features, existing, principal)


def _problem(
    problems: list[ImportProblem], feature: int | None, code: str | None, zh: str, en: str
) -> None:
    problems.append(ImportProblem(feature=feature, code=code, message=zh, message_en=en))


def _parse(document: Any, problems: list[ImportProblem]) -> list[_Feature]:
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        _problem(
            problems,
            None,
            None,
            "文件不是 GeoJSON FeatureCollection",
            "Not a GeoJSON FeatureCollection",
        )
        return []
    raw_features = document.get("features")
    if not isinstance(raw_features, list) or not raw_features:
        _problem(
            problems,
            None,
            None,
            "FeatureCollection 中没有要素",
            "The FeatureCollection has no features",
        )
        return []
    features: list[_Feature] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_features):
        props = raw.get("properties") if isinstance(raw, dict) else None
        if not isinstance(props, dict):
            _problem(problems, index, None, "要素缺少 properties", "Feature has no properties")
            continue
        code = str(props.get("code") or "").strip()
        name = str(props.get("name") or "").strip()
        layer = str(props.get("layer") or BASE_LAYER)
        level = _level_of(code, layer)
        if level is None:
            _problem(
                problems,
                index,
                code or None,
                f"编码 {code!r} 格式错误：应为 6/9/12/15 位数字（叠加图层为两位大写字母加数字）",
                f"Malformed code {code!r}: expected 6/9/12/15 digits (overlays: 2 capitals + digits)",
            )
            continue
        if props.get("level") not in (None, level):
            _problem(
                problems,
                index,
                code,
                f"层级 {props.get('level')} 与编码长度不符（应为 {level}）",
                f"Level {props.get('level')} does not match the code length (expected {level})",
            )
            continue
        if not name or len(name) > 100:
            _problem(
                problems,
                index,
                code,
                "名称不能为空且不超过 100 字",
                "Name required, at most 100 characters",
            )
            continue
        if code in seen:
            _problem(
                problems,
                index,
                code,
                f"编码 {code} 在文件中重复",
                f"Code {code} appears twice in the file",
            )
            continue
        seen.add(code)
        try:
            geometry = parse_polygon(
                raw.get("geometry"), allow_multi=level != RegionLevel.GRID, label=f"#{index} {code}"
            )
        except BadRequest as exc:
            _problem(problems, index, code, exc.message, exc.message_en)
            continue
        covers = props.get("covers") or []
        if not isinstance(covers, list) or not all(isinstance(c, str) for c in covers):
            _problem(
                problems,
                index,
                code,
                "covers 必须是网格编码列表",
                "covers must be a list of grid codes",
            )
            continue
        features.append(_Feature(index, code, name, level, layer, geometry, list(covers)))
    return features


def _level_of(code: str, layer: str) -> str | None:
    if layer == BASE_LAYER:
        level = LEVEL_BY_CODE_LENGTH.get(len(code)) if CODE_PATTERN.match(code) else None
        return None if level is None else level.value
    return RegionLevel.OVERLAY.value if OVERLAY_CODE_PATTERN.match(code) else None


def _check_hierarchy(
    by_code: dict[str, _Feature], existing: dict[str, Region], problems: list[ImportProblem]
) -> None:
    for feature in by_code.values():
        if feature.layer != BASE_LAYER or feature.level == RegionLevel.DISTRICT:
            continue
        parent_code = feature.code[:-3]
        parent = by_code.get(parent_code)
        parent_geometry = (
            parent.geometry
            if parent is not None
            else from_geojson(existing[parent_code].geometry)
            if parent_code in existing
            else None
        )
        if parent_geometry is None:
            _problem(
                problems,
                feature.index,
                feature.code,
                f"上级区域 {parent_code} 不存在（文件和数据库中均无）",
                f"Unknown parent region {parent_code} (neither in the file nor in the database)",
            )
            continue
        if not parent_geometry.buffer(EDGE_TOLERANCE).covers(feature.geometry):
            _problem(
                problems,
                feature.index,
                feature.code,
                f"{feature.code} 超出上级区域 {parent_code} 的范围",
                f"{feature.code} extends outside its parent {parent_code}",
            )


def _check_grid_overlaps(
    features: list[_Feature], existing: dict[str, Region], problems: list[ImportProblem]
) -> None:
    incoming = {f.code: f for f in features if f.level == RegionLevel.GRID}
    if not incoming:
        return
    # The grids after the import: kept ones from the database plus the file's.
    codes = list(incoming)
    geometries = [incoming[c].geometry for c in codes]
    for code, region in existing.items():
        if region.layer == BASE_LAYER and region.level == RegionLevel.GRID and code not in incoming:
            codes.append(code)
            geometries.append(from_geojson(region.geometry))
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries[: len(incoming)], predicate="intersects")
    reported: set[tuple[str, str]] = set()
    for i, j in zip(left, right, strict=True):
        if i == j:
            continue
        a, b = codes[i], codes[j]
        if (b, a) in reported:
            continue
        overlap = shapely.area(shapely.intersection(geometries[i], geometries[j]))
        if overlap > AREA_TOLERANCE:
            reported.add((a, b))
            _problem(
                problems,
                incoming[a].index,
                a,
                f"网格 {a} 与网格 {b} 重叠（约 {area_m2(shapely.intersection(geometries[i], geometries[j])):.1f} 平方米）",
                f"Grid {a} overlaps grid {b}",
            )


def _check_overlays(
    by_code: dict[str, _Feature], existing: dict[str, Region], problems: list[ImportProblem]
) -> None:
    for feature in by_code.values():
        if feature.layer == BASE_LAYER:
            continue
        for grid_code in feature.covers:
            grid = by_code.get(grid_code)
            known = grid is not None and grid.level == RegionLevel.GRID
            stored = existing.get(grid_code)
            if not known and not (stored and stored.level == RegionLevel.GRID):
                _problem(
                    problems,
                    feature.index,
                    feature.code,
                    f"叠加网格 {feature.code} 覆盖的网格 {grid_code} 不存在",
                    f"Overlay {feature.code} covers unknown grid {grid_code}",
                )


def _write(
    session: Session,
    features: list[_Feature],
    existing: dict[str, Region],
    principal: Principal,
) -> ImportReport:
    created = updated = 0
    ids = {code: region.id for code, region in existing.items()}
    now = utcnow()
    # Parents first, so children can point at them.
    for feature in sorted(features, key=lambda f: (f.layer != BASE_LAYER, len(f.code), f.code)):
        geometry = feature.geometry
        minx, miny, maxx, maxy = geometry.bounds
        centre = (
            geometry.centroid
            if geometry.geom_type == "Polygon"
            else geometry.representative_point()
        )
        if not geometry.covers(centre):
            centre = geometry.representative_point()
        values = {
            "name": feature.name,
            "level": feature.level,
            "layer": feature.layer,
            "parent_id": ids.get(feature.code[:-3]) if feature.layer == BASE_LAYER else None,
            "geometry": to_geojson(geometry),
            "min_lng": minx,
            "min_lat": miny,
            "max_lng": maxx,
            "max_lat": maxy,
            "center_lng": centre.x,
            "center_lat": centre.y,
            "area_m2": area_m2(geometry),
            "updated_at": now,
        }
        region = existing.get(feature.code)
        if region is None:
            region = Region(code=feature.code, **values)
            session.add(region)
            session.flush()
            ids[feature.code] = region.id
            created += 1
        else:
            for key, value in values.items():
                setattr(region, key, value)
            updated += 1
        if feature.layer != BASE_LAYER:
            session.flush()
            session.execute(delete(OverlayCoverage).where(OverlayCoverage.overlay_id == region.id))
            if feature.covers:
                session.execute(
                    insert(OverlayCoverage),
                    [{"overlay_id": region.id, "grid_id": ids[c]} for c in feature.covers],
                )
    session.flush()
    trail.record(
        session,
        action="grid.import",
        object_type="region",
        principal=principal,
        after={"created": created, "updated": updated, "features": len(features)},
    )
    return ImportReport(created=created, updated=updated, problems=[])
