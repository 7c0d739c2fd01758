"""Houses and organisations of the synthetic population: one residential compound per grid
(``宜昌市西陵区解放路12号``) of apartment buildings inside the grid polygon, and a few shops and
restaurants with valid GB 32100 codes on its street front.

Rows are built column by column (lists of the values as stored) for ``people.bulk.Columns``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import shapely

from gridgov.models.house import HouseUse
from gridgov.models.organisation import OrganisationType
from gridgov.people.identifiers import CREDIT_ALPHABET, make_credit_code, org_code_check_char
from gridgov.people.text import COMPOUND_SURNAMES
from gridgov.sim.names import draw_names, name_table, random_name

CITY = "宜昌市"
ROADS = (
    "解放路", "胜利四路", "东山大道", "夷陵大道", "沿江大道", "珍珠路", "发展大道", "西陵二路",
    "云集路", "体育场路", "港窑路", "城东大道", "隆康路", "夜明珠路", "桃花岭路", "北山坡路",
    "果园路", "合益路", "大公桥路", "中南路", "西坝路", "平湖大道", "伍临路", "宋山路", "江南大道",
    "紫阳路", "白沙路", "求索路", "东湖大道", "峡州路",
)  # fmt: skip
RESTAURANTS = ("热干面馆", "牛肉面馆", "小吃店", "饭店", "火锅店", "烧烤店", "餐馆", "包子铺", "凉虾店")  # fmt: skip
SHOPS = (("便利店", "retail"), ("超市", "retail"), ("五金店", "retail"), ("水果店", "retail"), ("大药房", "pharmacy"), ("理发店", "services"), ("干洗店", "services"))  # fmt: skip
SHOP_NAMES = ("惠民", "好邻居", "家家乐", "便民", "鑫盛", "福泰", "百姓")
FLOORS = (6, 6, 7, 11, 18)
FLAT_AREAS = (58.0, 72.0, 89.0, 96.0, 105.0, 120.0, 138.0)
VACANT_SHARE = 0.1


@dataclass(frozen=True)
class Site:
    """What a compound needs to know about its grid."""

    code: str  # 15-digit grid code
    district_code: str
    district_name: str
    polygon: shapely.Polygon
    households: int


@dataclass
class Estate:
    """Houses and organisations of a batch of grids, and the occupied flats (one per household,
    in house order)."""

    houses: dict[str, list[Any]]
    orgs: dict[str, list[Any]]
    occupied: np.ndarray  # row index into ``houses`` of each household's flat
    occupied_grid: np.ndarray  # index into the batch's sites of each household's grid


@dataclass
class Compounds:
    """Builds compounds grid after grid; keeps what must stay unique city-wide (house numbers on
    a road, credit codes) and the next house and organisation ids."""

    rng: random.Random
    gen: np.random.Generator
    today: date
    house_id: int
    org_id: int
    road_numbers: dict[tuple[str, str], int] = field(default_factory=dict)
    credit_codes: set[str] = field(default_factory=set)

    def build(self, sites: Sequence[Site]) -> Estate:
        houses: dict[str, list[Any]] = {name: [] for name in _HOUSE_COLUMNS}
        orgs: dict[str, list[Any]] = {name: [] for name in _ORG_COLUMNS}
        occupied: list[np.ndarray] = []
        occupied_grid: list[np.ndarray] = []
        for index, site in enumerate(sites):
            first_flat = len(houses["id"])
            compound = self._compound(site)
            flats, points = self._flats(site, compound, houses)
            chosen = self.gen.choice(flats, size=site.households, replace=False)
            occupied.append(first_flat + np.sort(chosen))
            occupied_grid.append(np.full(site.households, index))
            self._shops(site, compound, points, houses, orgs)
        rows = len(houses["id"])
        surname, given = draw_names(self.gen, self.gen.random(rows) < 0.5)
        table = name_table()
        houses["owner_name"] = (table.surnames[surname] + table.given[given]).tolist()
        estate = Estate(
            houses=houses,
            orgs=orgs,
            occupied=np.concatenate(occupied),
            occupied_grid=np.concatenate(occupied_grid),
        )
        for row in estate.occupied.tolist():
            houses["use"][row] = HouseUse.RESIDENCE.value
        return estate

    def _compound(self, site: Site) -> str:
        road = self.rng.choice(ROADS)
        key = (site.district_code, road)
        number = self.road_numbers.get(key, self.rng.randint(1, 20)) + self.rng.randint(1, 6)
        self.road_numbers[key] = number
        return f"{CITY}{site.district_name}{road}{number}号"

    def _points(self, polygon: shapely.Polygon, n: int) -> list[tuple[float, float]]:
        """``n`` random points inside the polygon, rounded as stored (6 decimals, ~0.1 m) before
        the test, so the stored point is inside too."""
        minx, miny, maxx, maxy = polygon.bounds
        out: list[tuple[float, float]] = []
        while len(out) < n:
            xs = np.round(self.gen.uniform(minx, maxx, n * 2), 6)
            ys = np.round(self.gen.uniform(miny, maxy, n * 2), 6)
            inside = shapely.contains_xy(polygon, xs, ys)
            out.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
        return out[:n]

    def _flats(
        self, site: Site, compound: str, houses: dict[str, list[Any]]
    ) -> tuple[int, list[tuple[float, float]]]:
        """Buildings of 6–18 floors, 2–3 units, 2 flats per floor, until ~10 % of the flats can
        stay vacant; returns the number of flats and spare points for the shops."""
        needed = int(site.households / (1 - VACANT_SHARE)) + 1
        buildings: list[tuple[int, int]] = []
        flats = 0
        while flats < needed:
            floors, units = self.rng.choice(FLOORS), self.rng.choice((2, 3))
            buildings.append((floors, units))
            flats += floors * units * 2
        points = self._points(site.polygon, len(buildings) + 8)
        for number, ((floors, units), (lng, lat)) in enumerate(
            zip(buildings, points[: len(buildings)], strict=True), start=1
        ):
            for flat in _building_flats(number, floors, units):
                houses["address"].append(compound + flat.address)
                houses["building"].append(flat.building)
                houses["unit"].append(flat.unit)
                houses["floor"].append(flat.floor)
                houses["room"].append(flat.room)
                houses["building_floors"].append(floors)
                houses["lng"].append(lng)
                houses["lat"].append(lat)
        houses["id"].extend(range(self.house_id, self.house_id + flats))
        self.house_id += flats
        houses["grid_code"].extend([site.code] * flats)
        houses["use"].extend([HouseUse.VACANT.value] * flats)
        houses["area_m2"].extend(
            np.asarray(FLAT_AREAS)[self.gen.integers(0, len(FLAT_AREAS), flats)].tolist()
        )
        return flats, points[len(buildings) :]

    def _shops(
        self,
        site: Site,
        compound: str,
        points: list[tuple[float, float]],
        houses: dict[str, list[Any]],
        orgs: dict[str, list[Any]],
    ) -> None:
        """2–6 shops and restaurants on the compound's street front, each in its own house."""
        rng = self.rng
        for i in range(rng.randint(2, 6)):
            restaurant = rng.random() < 0.45
            owner = random_name(rng)
            if restaurant:
                surname = owner[:2] if owner[:2] in COMPOUND_SURNAMES else owner[:1]
                name, industry = f"{surname}记{rng.choice(RESTAURANTS)}", "restaurant"
            else:
                shop, industry = rng.choice(SHOPS)
                name = rng.choice(SHOP_NAMES) + shop
            enterprise = rng.random() < 0.25
            code = self._credit_code(site.district_code, enterprise)
            lng, lat = points[i % len(points)]
            address = f"{compound}{i + 1}号商铺"
            for column, value in (
                ("id", self.house_id),
                ("address", address),
                ("building", None),
                ("unit", None),
                ("floor", 1),
                ("room", f"商铺{i + 1}"),
                ("building_floors", 1),
                ("grid_code", site.code),
                ("use", HouseUse.SHOP.value),
                ("area_m2", float(rng.choice((20, 35, 50, 80, 120)))),
                ("lng", lng),
                ("lat", lat),
            ):
                houses[column].append(value)
            licences: list[dict[str, str | None]] = [
                {"kind": "business_licence", "number": code, "valid_until": None}
            ]
            if restaurant or industry == "pharmacy":
                valid = self.today + timedelta(days=rng.randint(-60, 5 * 365))
                licences.append(
                    {
                        "kind": "food_business" if restaurant else "drug_retail",
                        "number": f"JY{site.district_code}{rng.randint(10**7, 10**8 - 1)}",
                        "valid_until": valid.isoformat(),
                    }
                )
            kind = (
                OrganisationType.ENTERPRISE if enterprise else OrganisationType.INDIVIDUAL_BUSINESS
            )
            for column, value in (
                ("id", self.org_id),
                ("credit_code", code),
                ("name", name),
                ("org_type", kind.value),
                ("industry", industry),
                ("address", address),
                ("house_id", self.house_id),
                ("grid_code", site.code),
                ("legal_representative", owner),
                ("licences", json.dumps(licences, ensure_ascii=False)),
            ):
                orgs[column].append(value)
            self.house_id += 1
            self.org_id += 1

    def _credit_code(self, division: str, enterprise: bool) -> str:
        while True:
            first8 = "".join(self.rng.choices(CREDIT_ALPHABET, k=8))
            org_code = first8 + org_code_check_char(first8)
            if any(ch not in CREDIT_ALPHABET for ch in org_code):
                continue
            code = make_credit_code("9", "1" if enterprise else "2", division, org_code)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code


_HOUSE_COLUMNS = (
    "id", "address", "building", "unit", "floor", "room", "building_floors", "grid_code", "use",
    "area_m2", "lng", "lat",
)  # fmt: skip
_ORG_COLUMNS = (
    "id", "credit_code", "name", "org_type", "industry", "address", "house_id", "grid_code",
    "legal_representative", "licences",
)  # fmt: skip


@dataclass(frozen=True)
class _Flat:
    address: str  # after the compound: 3栋2单元401
    building: str
    unit: str
    floor: int
    room: str


@lru_cache(maxsize=256)
def _building_flats(number: int, floors: int, units: int) -> tuple[_Flat, ...]:
    """The flats of one building, unit by unit, floor by floor (strings shared across grids)."""
    building = f"{number}栋"
    return tuple(
        _Flat(
            f"{building}{unit}单元{floor}{room:02d}",
            building,
            f"{unit}单元",
            floor,
            f"{floor}{room:02d}",
        )
        for unit in range(1, units + 1)
        for floor in range(1, floors + 1)
        for room in (1, 2)
    )
