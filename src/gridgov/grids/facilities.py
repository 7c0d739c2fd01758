"""Facility (component, 部件) kinds with their CJ/T 214-style class codes (major 01 公用设施)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FacilityKind:
    key: str
    class_code: str  # 2-digit major + 2-digit minor class
    name_zh: str
    name_en: str


FACILITY_KINDS: dict[str, FacilityKind] = {
    kind.key: kind
    for kind in (
        FacilityKind("water_manhole", "0101", "上水井盖", "Water-supply manhole cover"),
        FacilityKind("sewage_manhole", "0102", "污水井盖", "Sewage manhole cover"),
        FacilityKind("rain_manhole", "0103", "雨水井盖", "Storm-drain manhole cover"),
        FacilityKind("fire_hydrant", "0110", "消防栓", "Fire hydrant"),
        FacilityKind("street_lamp", "0115", "路灯", "Street lamp"),
        FacilityKind("camera", "0121", "监控电子眼", "Surveillance camera"),
    )
}


def facility_code(district_code: str, kind: FacilityKind, serial: int) -> str:
    """16 digits: 6 district + 4 class + 6 serial, e.g. ``4205020101000001``."""
    return f"{district_code}{kind.class_code}{serial:06d}"
