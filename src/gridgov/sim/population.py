"""Synthetic population, housing and organisations for the synthetic city.

Each grid gets one residential compound (``宜昌市西陵区解放路12号``) of apartment buildings inside
its polygon, households of a realistic size (mean ≈ 2.7, 1–7) with relations to the head, persons
with valid unique GB 11643 IDs (registered residents carry their district's address code,
floating residents another province's), an age pyramid, ~20 % floating residents, care and
special-population tags, and a few shops and restaurants with valid GB 32100 codes.

Deterministic for a seed. Rows are built in plain Python lists and bulk-loaded (COPY on
PostgreSQL), grids in chunks, so the reference city (1,110 grids) loads in well under a minute.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.kit.clock import utcnow
from gridgov.models.house import House, HouseUse
from gridgov.models.household import Household, HouseholdKind
from gridgov.models.organisation import Organisation, OrganisationType
from gridgov.models.person import IdType, LivingStatus, Person, ResidenceType
from gridgov.models.region import Region
from gridgov.people.bulk import (
    analyze,
    bulk_insert,
    deferred_indexes,
    next_id,
    sync_sequence,
)
from gridgov.people.identifiers import (
    CREDIT_ALPHABET,
    make_credit_code,
    make_resident_id,
    org_code_check_char,
)
from gridgov.people.sensitive import Protector
from gridgov.people.stats import refresh_grid_stats
from gridgov.people.tags import tag_codes_text
from gridgov.people.text import given_name, name_pinyin
from gridgov.sim.names import random_name, random_names


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


CITY = "宜昌市"
YICHANG_DISTRICTS = {
    "420502": "西陵区",
    "420503": "伍家岗区",
    "420504": "点军区",
    "420505": "猇亭区",
    "420506": "夷陵区",
}
ROADS = (
    "解放路", "胜利四路", "东山大道", "夷陵大道", "沿江大道", "珍珠路", "发展大道", "西陵二路",
    "云集路", "体育场路", "港窑路", "城东大道", "隆康路", "夜明珠路", "桃花岭路", "北山坡路",
    "果园路", "合益路", "大公桥路", "中南路", "西坝路", "平湖大道", "伍临路", "宋山路", "江南大道",
    "紫阳路", "白沙路", "求索路", "东湖大道", "峡州路",
)  # fmt: skip
# County-level codes of other provinces (GB/T 2260) and their names, for floating residents.
OTHER_PROVINCES = (
    ("411102", "河南省漯河市源汇区"), ("410105", "河南省郑州市金水区"), ("430102", "湖南省长沙市芙蓉区"),
    ("430602", "湖南省岳阳市岳阳楼区"), ("500103", "重庆市渝中区"), ("500101", "重庆市万州区"),
    ("510104", "四川省成都市锦江区"), ("511302", "四川省南充市顺庆区"), ("360102", "江西省南昌市东湖区"),
    ("340102", "安徽省合肥市瑶海区"), ("341202", "安徽省阜阳市颍州区"), ("320102", "江苏省南京市玄武区"),
    ("330106", "浙江省杭州市西湖区"), ("440106", "广东省广州市天河区"), ("370102", "山东省济南市历下区"),
    ("610113", "陕西省西安市雁塔区"), ("130102", "河北省石家庄市长安区"), ("522301", "贵州省兴义市"),
    ("450103", "广西壮族自治区南宁市青秀区"), ("350102", "福建省福州市鼓楼区"),
)  # fmt: skip
ETHNICITIES = (("汉族", 0.93), ("土家族", 0.05), ("回族", 0.006), ("苗族", 0.005), ("满族", 0.005), ("蒙古族", 0.004))  # fmt: skip
FOREIGNERS = (("KOR", "金敏俊", "M"), ("USA", "约翰·史密斯", "M"), ("JPN", "佐藤美咲", "F"), ("RUS", "安娜·伊万诺娃", "F"), ("PAK", "阿里·汗", "M"), ("VNM", "阮氏兰", "F"))  # fmt: skip
RESTAURANTS = (
    "热干面馆",
    "牛肉面馆",
    "小吃店",
    "饭店",
    "火锅店",
    "烧烤店",
    "餐馆",
    "包子铺",
    "凉虾店",
)
SHOPS = (("便利店", "retail"), ("超市", "retail"), ("五金店", "retail"), ("水果店", "retail"), ("大药房", "pharmacy"), ("理发店", "services"), ("干洗店", "services"))  # fmt: skip
# Head-of-household age bands (from, to, weight).
HEAD_AGES = ((20, 29, 10), (30, 39, 18), (40, 49, 18), (50, 59, 20), (60, 69, 18), (70, 79, 11), (80, 95, 5))  # fmt: skip
HOUSEHOLD_SIZES = ((1, 0.24), (2, 0.28), (3, 0.22), (4, 0.13), (5, 0.08), (6, 0.04), (7, 0.01))
# (tag, probability, source, condition on age) for individual tags.
TAG_RULES: tuple[tuple[str, float, str, int, int], ...] = (
    ("disabled", 0.02, "department", 0, 120),
    ("low_income", 0.015, "department", 0, 120),
    ("veteran", 0.02, "department", 40, 120),
    ("released_prisoner", 0.002, "department", 25, 70),
    ("community_correction", 0.0008, "department", 20, 70),
    ("drug_user", 0.001, "department", 18, 60),
    ("mental_disorder", 0.003, "department", 18, 90),
    ("key_youth", 0.004, "department", 12, 25),
)
CHUNK_GRIDS = 100
# From this many grids on, generation runs in a forked process beside the loading.
PARALLEL_FROM_GRIDS = 200


@dataclass
class _Member:
    relation: str
    age: int
    sex: str
    surname_of: int | None  # index of the member whose surname this one carries


class _Builder:
    def __init__(self, seed: int, start: _Start) -> None:
        self.rng = random.Random(seed)
        self.gen = np.random.default_rng(seed)
        self.today = start.today
        self.now = start.now
        self.used_ids: set[str] = set()
        self.protector = Protector()
        self.used_credit: set[str] = set()
        self.road_numbers: dict[tuple[str, str], int] = {}
        self.district_names = dict(start.district_names)
        self.house_id, self.household_id, self.person_id, self.org_id = start.ids
        self.meta = self._meta()
        self.houses: list[dict[str, Any]] = []
        self.households: list[dict[str, Any]] = []
        self.persons: list[dict[str, Any]] = []
        self.orgs: list[dict[str, Any]] = []
        self.eth_names = [e for e, _ in ETHNICITIES]
        self.eth_cum = list(itertools.accumulate(w for _, w in ETHNICITIES))
        self.size_values = [s for s, _ in HOUSEHOLD_SIZES]
        self.size_cum = list(itertools.accumulate(w for _, w in HOUSEHOLD_SIZES))
        self.head_cum = list(itertools.accumulate(w for *_, w in HEAD_AGES))

    # -- rows ---------------------------------------------------------------------------------
    def _meta(self) -> dict[str, Any]:
        return {
            "version": 1,
            "changed_at": self.now,
            "changed_by_id": None,
            "changed_by_name": "sim",
            "change_source": "system",
            "change_reason": "模拟城市 synthetic city",
        }

    def _points(self, polygon: shapely.Polygon, n: int) -> list[tuple[float, float]]:
        minx, miny, maxx, maxy = polygon.bounds
        out: list[tuple[float, float]] = []
        while len(out) < n:
            xs = self.gen.uniform(minx, maxx, n * 2)
            ys = self.gen.uniform(miny, maxy, n * 2)
            inside = shapely.contains_xy(polygon, xs, ys)
            out.extend(zip(xs[inside].tolist(), ys[inside].tolist(), strict=True))
        return out[:n]

    def grid(self, site: GridSite) -> None:
        rng = self.rng
        district = self.district_names.get(site.district_code, "")
        road = rng.choice(ROADS)
        number = self.road_numbers.get(
            (site.district_code, road), rng.randint(1, 20)
        ) + rng.randint(1, 6)
        self.road_numbers[(site.district_code, road)] = number
        compound = f"{CITY}{district}{road}{number}号"

        # Flats: buildings of 6–18 floors, 2–3 units, 2 flats per floor, ~10 % left vacant.
        needed = int(site.households / 0.9) + 1
        flats: list[dict[str, Any]] = []
        building_no = 0
        while len(flats) < needed:
            building_no += 1
            floors = rng.choice((6, 6, 7, 11, 18))
            units = rng.choice((2, 3))
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for room in (1, 2):
                        flats.append(
                            {
                                "address": f"{compound}{building_no}栋{unit}单元{floor}{room:02d}",
                                "building": f"{building_no}栋",
                                "unit": f"{unit}单元",
                                "floor": floor,
                                "room": f"{floor}{room:02d}",
                                "building_floors": floors,
                                "building_no": building_no,
                            }
                        )
        points = self._points(site.polygon, building_no + 8)
        occupied = set(rng.sample(range(len(flats)), site.households))
        house_rows: list[dict[str, Any]] = []
        for index, flat in enumerate(flats):
            lng, lat = points[flat.pop("building_no") - 1]
            flat.update(
                id=self.house_id,
                grid_code=site.code,
                use=HouseUse.RESIDENCE if index in occupied else HouseUse.VACANT,
                area_m2=float(rng.choice((58, 72, 89, 96, 105, 120, 138))),
                owner_name=random_name(rng),
                lng=round(lng, 6),
                lat=round(lat, 6),
                status="active",
                **self.meta,
            )
            self.house_id += 1
            house_rows.append(flat)
        self.houses.extend(house_rows)

        compositions = [self._composition() for _ in occupied]
        names = random_names(self.gen, [m.sex for members in compositions for m in members])
        offset = 0
        for index, members in zip(sorted(occupied), compositions, strict=True):
            self._household(
                site, house_rows[index], district, members, names[offset : offset + len(members)]
            )
            offset += len(members)
        self._organisations(site, compound, points[building_no:])

    def _composition(self) -> list[_Member]:
        rng = self.rng
        size = rng.choices(self.size_values, cum_weights=self.size_cum)[0]
        low, high, _ = rng.choices(HEAD_AGES, cum_weights=self.head_cum)[0]
        head_age = rng.randint(low, high)
        head_sex = "M" if rng.random() < 0.62 else "F"
        members = [_Member("head", head_age, head_sex, None)]
        if size >= 2 and (rng.random() < 0.88 or size >= 4):
            members.append(
                _Member(
                    "spouse",
                    max(20, min(98, head_age + rng.randint(-4, 4))),
                    "F" if head_sex == "M" else "M",
                    None,
                )
            )
        father = 0 if head_sex == "M" else (1 if len(members) > 1 else 0)
        while len(members) < size:
            room = size - len(members)
            kids = [m for m in members if m.relation == "child"]
            if head_age < 60 and head_age - 22 >= 0 and len(kids) < 3:
                age = max(0, head_age - rng.randint(22, 36))
                members.append(_Member("child", age, rng.choice("MF"), father))
            elif head_age >= 60 and not kids:
                age = max(18, head_age - rng.randint(24, 34))
                members.append(_Member("child", age, rng.choice("MF"), father))
            elif (
                head_age >= 60
                and room >= 2
                and kids
                and not any(m.relation == "child_in_law" for m in members)
            ):
                child = kids[0]
                members.append(
                    _Member(
                        "child_in_law",
                        child.age + rng.randint(-3, 3),
                        "F" if child.sex == "M" else "M",
                        None,
                    )
                )
            elif head_age >= 50 and kids and kids[0].age >= 22:
                child_index = members.index(kids[0])
                age = max(0, kids[0].age - rng.randint(22, 32))
                members.append(
                    _Member(
                        "grandchild",
                        age,
                        rng.choice("MF"),
                        child_index if kids[0].sex == "M" else None,
                    )
                )
            elif head_age < 60 and not any(m.relation == "parent" for m in members):
                members.append(
                    _Member(
                        "parent", min(98, head_age + rng.randint(24, 32)), rng.choice("MF"), None
                    )
                )
            else:
                members.append(_Member("other", rng.randint(18, 70), rng.choice("MF"), None))
        return members

    def _household(
        self,
        site: GridSite,
        house: dict[str, Any],
        district: str,
        members: list[_Member],
        names: list[str],
    ) -> None:
        rng = self.rng
        floating = rng.random() < 0.2
        foreign = not floating and rng.random() < 0.002
        household_id = self.household_id
        self.household_id += 1
        if floating or foreign:
            house["use"] = HouseUse.RENTED
        origin_code, origin_name = (
            rng.choice(OTHER_PROVINCES) if floating else (site.district_code, f"{CITY}{district}")
        )
        self.households.append(
            {
                "id": household_id,
                "household_no": f"{site.code}{household_id % 10000:04d}{rng.randint(0, 99):02d}",
                "kind": HouseholdKind.RESIDENT
                if (floating or foreign)
                else HouseholdKind.REGISTERED,
                "house_id": house["id"],
                "grid_code": site.code,
                "address": house["address"],
                "status": "active",
                **self.meta,
            }
        )
        if foreign:
            members, names = members[:1], names[:1]
        for i, m in enumerate(members):
            if m.surname_of is not None and m.surname_of != i:
                surname = _surname(names[m.surname_of])
                names[i] = surname + _given(names[i])
        moved_in = self.today - timedelta(days=rng.randint(30, 5 * 365)) if floating else None
        for i, m in enumerate(members):
            birth = self._birth(m.age)
            if foreign:
                nationality, name, sex = rng.choice(FOREIGNERS)
                id_type, number = (
                    IdType.PASSPORT,
                    f"{nationality[0]}{rng.randint(10_000_000, 99_999_999)}",
                )
                names[i], m.sex = name, sex
                registered_address, residence = None, ResidenceType.FOREIGN
            else:
                nationality = None
                id_type = IdType.RESIDENT_ID
                number = self._resident_id(origin_code, birth, m.sex)
                registered_address = house["address"] if not floating else origin_name
                residence = ResidenceType.FLOATING if floating else ResidenceType.REGISTERED
            tags = self._tags(m.age, alone=len(members) == 1)
            self._person(
                household_id=household_id,
                house=house,
                site=site,
                relation=m.relation,
                name=names[i],
                sex=m.sex,
                birth=birth,
                id_type=id_type,
                number=number,
                nationality=nationality,
                registered_address=registered_address,
                residence=residence,
                moved_in=moved_in,
                tags=tags,
            )

    def _ethnicity(self) -> str:
        roll = self.rng.random() * self.eth_cum[-1]
        for name, cum in zip(self.eth_names, self.eth_cum, strict=True):
            if roll < cum:
                return name
        return self.eth_names[0]

    def _birth(self, age: int) -> date:
        birth = self.today - timedelta(days=age * 365 + self.rng.randint(0, 364))
        return max(birth, date(1900, 1, 1))

    def _resident_id(self, address_code: str, birth: date, sex: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = make_resident_id(address_code, birth, sequence)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def _tags(self, age: int, *, alone: bool) -> list[dict[str, str]]:
        tags: list[dict[str, str]] = []
        if alone and age >= 60:
            tags.append({"code": "elderly_alone", "source": "grid_worker"})
        for code, p, source, low, high in TAG_RULES:
            if low <= age <= high and self.rng.random() < p:
                tags.append({"code": code, "source": source})
        return tags

    def _person(
        self,
        *,
        household_id: int,
        house: dict[str, Any],
        site: GridSite,
        relation: str,
        name: str,
        sex: str,
        birth: date,
        id_type: str,
        number: str,
        nationality: str | None,
        registered_address: str | None,
        residence: str,
        moved_in: date | None,
        tags: list[dict[str, str]],
    ) -> None:
        rng = self.rng
        pinyin, initials = name_pinyin(name)
        protected_id = self.protector.id_number(number)
        age = (self.today - birth).days // 365
        phone = self.protector.phone(_phone(rng)) if age >= 14 and rng.random() < 0.95 else None
        living = LivingStatus.ALIVE
        if relation != "head":
            roll = rng.random()
            living = (
                LivingStatus.MOVED_AWAY
                if roll < 0.006
                else LivingStatus.DECEASED
                if roll < 0.009 and age >= 60
                else LivingStatus.ALIVE
            )
        self.persons.append(
            {
                "id": self.person_id,
                "id_type": id_type,
                "id_number_enc": protected_id.enc,
                "id_number_hash": protected_id.hash,
                "id_number_masked": protected_id.masked,
                "name": name,
                "given_name": given_name(name),
                "name_pinyin": pinyin,
                "name_initials": initials,
                "sex": sex,
                "birth_date": birth,
                "ethnicity": None if nationality else self._ethnicity(),
                "nationality": nationality,
                "phone_enc": phone.enc if phone else None,
                "phone_hash": phone.hash if phone else None,
                "phone_masked": phone.masked if phone else None,
                "registered_address": registered_address,
                "current_address": house["address"],
                "residence_type": residence,
                "living_status": living,
                "moved_in_on": moved_in,
                "permit_expires_on": moved_in + timedelta(days=365 * 3)
                if moved_in and rng.random() < 0.6
                else None,
                "tags": tags,
                "tag_codes": tag_codes_text(tags),
                "household_id": household_id,
                "relation_to_head": relation,
                "house_id": house["id"],
                "grid_code": site.code,
                **self.meta,
            }
        )
        self.person_id += 1

    def _organisations(
        self, site: GridSite, compound: str, points: list[tuple[float, float]]
    ) -> None:
        rng = self.rng
        for i in range(rng.randint(2, 6)):
            restaurant = rng.random() < 0.45
            owner = random_name(rng)
            if restaurant:
                name = f"{_surname(owner)}记{rng.choice(RESTAURANTS)}"
                industry = "restaurant"
            else:
                shop, industry = rng.choice(SHOPS)
                name = f"{rng.choice(('惠民', '好邻居', '家家乐', '便民', '鑫盛', '福泰', '百姓'))}{shop}"
            enterprise = rng.random() < 0.25
            code = self._credit_code(site.district_code, enterprise)
            lng, lat = points[i % len(points)]
            house_id = self.house_id
            self.house_id += 1
            address = f"{compound}{i + 1}号商铺"
            self.houses.append(
                {
                    "id": house_id,
                    "address": address,
                    "building": None,
                    "unit": None,
                    "floor": 1,
                    "room": f"商铺{i + 1}",
                    "building_floors": 1,
                    "grid_code": site.code,
                    "use": HouseUse.SHOP,
                    "area_m2": float(rng.choice((20, 35, 50, 80, 120))),
                    "owner_name": random_name(rng),
                    "lng": round(lng, 6),
                    "lat": round(lat, 6),
                    "status": "active",
                    **self.meta,
                }
            )
            licences = [{"kind": "business_licence", "number": code, "valid_until": None}]
            if restaurant or industry == "pharmacy":
                valid = self.today + timedelta(days=rng.randint(-60, 5 * 365))
                licences.append(
                    {
                        "kind": "food_business" if restaurant else "drug_retail",
                        "number": f"JY{site.district_code}{rng.randint(10**7, 10**8 - 1)}",
                        "valid_until": valid.isoformat(),
                    }
                )
            self.orgs.append(
                {
                    "id": self.org_id,
                    "credit_code": code,
                    "name": name,
                    "org_type": OrganisationType.ENTERPRISE
                    if enterprise
                    else OrganisationType.INDIVIDUAL_BUSINESS,
                    "industry": industry,
                    "address": address,
                    "house_id": house_id,
                    "grid_code": site.code,
                    "legal_representative": owner,
                    "licences": licences,
                    "status": "active",
                    **self.meta,
                }
            )
            self.org_id += 1

    def _credit_code(self, division: str, enterprise: bool) -> str:
        while True:
            first8 = "".join(self.rng.choices("0123456789ABCDEFGHJKLMNPQRTUWXY", k=8))
            org_code = first8 + org_code_check_char(first8)
            if any(ch not in CREDIT_ALPHABET for ch in org_code):
                continue
            code = make_credit_code("9", "1" if enterprise else "2", division, org_code)
            if code not in self.used_credit:
                self.used_credit.add(code)
                return code

    # -- loading ------------------------------------------------------------------------------
    def take(self) -> _Batch:
        batch = _Batch(self.houses, self.households, self.persons, self.orgs)
        self.houses, self.households, self.persons, self.orgs = [], [], [], []
        return batch


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


@dataclass
class _Batch:
    houses: list[dict[str, Any]]
    households: list[dict[str, Any]]
    persons: list[dict[str, Any]]
    orgs: list[dict[str, Any]]


def _generate(seed: int, start: _Start, grids: Sequence[GridSite]) -> Iterator[tuple[int, _Batch]]:
    builder = _Builder(seed, start)
    for first in range(0, len(grids), CHUNK_GRIDS):
        chunk = grids[first : first + CHUNK_GRIDS]
        for site in chunk:
            builder.grid(site)
        yield len(chunk), builder.take()


def _producer(seed: int, start: _Start, grids: Sequence[GridSite], queue: Any) -> None:
    try:
        for item in _generate(seed, start, grids):
            queue.put(item)
        queue.put(None)
    except BaseException as exc:  # report to the loading process instead of hanging it
        queue.put(exc)


def _batches(seed: int, start: _Start, grids: Sequence[GridSite]) -> Iterator[tuple[int, _Batch]]:
    """Generated chunks. For a big city a forked process generates the next chunks while this
    one loads the previous ones (same order and content as generating inline)."""
    if len(grids) < PARALLEL_FROM_GRIDS or "fork" not in mp.get_all_start_methods():
        yield from _generate(seed, start, grids)
        return
    context = mp.get_context("fork")
    queue = context.Queue(maxsize=3)
    process = context.Process(target=_producer, args=(seed, start, grids, queue), daemon=True)
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


def _surname(name: str) -> str:
    return name[:2] if name[:2] in ("欧阳", "司马", "诸葛", "上官") else name[:1]


def _given(name: str) -> str:
    return name[len(_surname(name)) :]


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


def populate(
    session: Session,
    *,
    grids: Sequence[GridSite],
    seed: int,
    progress: Callable[[int], None] | None = None,
) -> PopulationSummary:
    """Fill the population base for ``grids`` (adds to the session's transaction, never commits)."""
    start = _Start.read(session)
    totals = [0, 0, 0, 0, 0]
    expected = sum(site.households for site in grids)
    with deferred_indexes(session, [House, Household, Person], expected):
        for done, batch in _batches(seed, start, grids):
            bulk_insert(session, House, batch.houses)
            bulk_insert(session, Household, batch.households)
            bulk_insert(session, Person, batch.persons)
            bulk_insert(session, Organisation, batch.orgs)
            for i, n in enumerate(
                (
                    done,
                    len(batch.houses),
                    len(batch.households),
                    len(batch.persons),
                    len(batch.orgs),
                )
            ):
                totals[i] += n
            if progress is not None:
                progress(done)
    for model in (House, Household, Person, Organisation):
        sync_sequence(session, model)
    analyze(session, [House, Household, Person, Organisation])
    refresh_grid_stats(session, grid_codes=[site.code for site in grids])
    return PopulationSummary(*totals)
