"""Department feeds of the simulated city, with realistic noise and the truth.

``gridgov sim feeds`` writes the five files the reference city receives (police hukou, hospital
births, social security, housing, market licences) in the columns of the shipped mappings
(``gridgov/sources/mappings``), and ``truth.csv`` (source, record id, person id, and for births
the mother's person id). The population is either the base in the database (the demo) or a
synthetic one of N persons with real families (the bench): households of a couple, children
(twins among them), a grandparent; namesakes in one compound.

Noise, per what departments really send: 15-digit IDs of people born before 1980, typos (one
wrong digit or two swapped), lower-case x, full-width digits; traditional characters, swapped
given-name characters, ``?`` for a rare character, Hubei-dialect spellings (刘/牛, 胡/傅, 陈/岑);
birth dates with day and month swapped, ``YYYY-01-01`` of old registers, a year off, lunar
birthdays; phones as ``+86``/``86-``/spaces, a relative's phone or ID; addresses spelled
``5-2-1203``, ``5号楼2单元1203室``, ``五栋二单元``, stale addresses of movers; persons dead in the
police register but alive in the base; duplicates inside a source; newborns with placeholder
names (王丽之子, 大宝) and no ID.
"""

from __future__ import annotations

import csv
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gridgov.authz.principal import system_principal
from gridgov.kit.crypto import decrypt
from gridgov.kit.db import job_session
from gridgov.models.person import Person
from gridgov.models.source import Source
from gridgov.models.user import User
from gridgov.people.identifiers import make_resident_id
from gridgov.sim.compounds import CITY, ROADS
from gridgov.sim.names import random_name
from gridgov.sources.cli import SHIPPED
from gridgov.sources.mapping import parse_mapping
from gridgov.sources.reconcile import reconcile
from gridgov.sources.service import add_source, load_rows

DISTRICTS = (("420502", "西陵区"), ("420503", "伍家岗区"), ("420504", "点军区"),
             ("420505", "猇亭区"), ("420506", "夷陵区"))  # fmt: skip
TRADITIONAL = str.maketrans("张刘陈杨黄赵吴马孙郑谢韩冯邓萧罗许华丽伟明国东龙凤军",
                            "張劉陳楊黃趙吳馬孫鄭謝韓馮鄧蕭羅許華麗偉明國東龍鳳軍")  # fmt: skip
DIALECT = {"刘": "牛", "胡": "傅", "陈": "岑", "宁": "林", "黄": "房", "张": "臧", "郑": "曾"}
CN_DIGITS = "零一二三四五六七八九"


@dataclass
class Resident:
    person_id: int
    name: str
    sex: str
    birth_date: date
    id_number: str
    phone: str | None
    address: str  # the register's standard address
    household_no: str
    relation: str  # 户主 / 配偶 / 子女 / 父母
    alive: bool = True
    mother: int | None = None  # person id
    family: list[int] = field(default_factory=list)  # household members' person ids


@dataclass
class Feeds:
    """The population and what each source says about it (rows in the mapping's columns)."""

    residents: list[Resident]
    files: dict[str, list[dict[str, Any]]]
    truth: list[dict[str, Any]]  # {source, record_key, person_id, mother_person_id}


def synthetic_population(n: int, *, seed: int = 7, today: date | None = None) -> list[Resident]:
    """``n`` residents in households of one compound per ~300 households."""
    rng = random.Random(seed)
    today = today or date.today()
    out: list[Resident] = []
    used_ids: set[str] = set()
    household = 0
    while len(out) < n:
        household += 1
        district_code, district = DISTRICTS[household % len(DISTRICTS)]
        compound = household // 300
        road = ROADS[compound % len(ROADS)]
        address = (
            f"{CITY}{district}{road}{compound // len(ROADS) + 1}号"
            f"{household % 300 // 36 + 1}栋{household % 36 // 12 + 1}单元"
            f"{household % 12 // 2 + 1}{household % 2 + 1:02d}"
        )
        members = _household(rng, today)
        start = len(out)
        ids = list(range(start + 1, start + 1 + len(members)))
        surname = random_name(rng)[0]
        for pid, (relation, sex, birth) in zip(ids, members, strict=True):
            name = random_name(rng, sex)
            if relation in ("户主", "子女"):
                name = surname + name[1:]
            out.append(
                Resident(
                    person_id=pid,
                    name=name,
                    sex=sex,
                    birth_date=birth,
                    id_number=_unique_id(rng, district_code, birth, sex, used_ids),
                    phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
                    if birth.year < today.year - 14
                    else None,
                    address=address,
                    household_no=f"H{household:08d}",
                    relation=relation,
                    family=ids,
                )
            )
        mother = next(
            (r for r in out[start:] if r.relation in ("户主", "配偶") and r.sex == "F"), None
        )
        for r in out[start:]:
            if r.relation == "子女" and mother is not None:
                r.mother = mother.person_id
    return out[:n]


def _household(rng: random.Random, today: date) -> list[tuple[str, str, date]]:
    head_sex = rng.choice("MF")
    head_birth = _day(rng, today.year - 75, today.year - 24)
    members = [("户主", head_sex, head_birth)]
    if rng.random() < 0.8:
        spouse_birth = head_birth + timedelta(days=rng.randint(-1500, 1500))
        members.append(("配偶", "F" if head_sex == "M" else "M", spouse_birth))
    kids = rng.choice((0, 1, 1, 2, 2, 3))
    mother_age = today.year - head_birth.year
    for _ in range(kids):
        birth = _day(
            rng, max(head_birth.year + 22, today.year - 40), min(head_birth.year + 40, today.year)
        )
        members.append(("子女", rng.choice("MF"), birth))
        if rng.random() < 0.03:  # twins: same day, same surname, same address
            members.append(("子女", rng.choice("MF"), birth))
    if rng.random() < 0.15 and mother_age < 60:
        members.append(
            ("父母", rng.choice("MF"), _day(rng, head_birth.year - 32, head_birth.year - 22))
        )
    return members


def _day(rng: random.Random, first: int, last: int) -> date:
    start = date(first, 1, 1)
    end = min(date(max(first, last), 12, 28), date.today() - timedelta(days=1))
    return start + timedelta(days=rng.randint(0, max((end - start).days, 1)))


def _unique_id(rng: random.Random, district: str, birth: date, sex: str, used: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
        number = make_resident_id(district, birth, seq)
        if number not in used:
            used.add(number)
            return number


# --- noise ----------------------------------------------------------------------------------------


class Noise:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def id_number(self, number: str, birth: date, *, typo: float = 0.01) -> str:
        if len(number) != 18:  # a newborn has none yet
            return number
        if birth.year < 1980 and self.chance(0.3):
            return number[:6] + number[8:17]  # a 15-digit ID of the old register
        if self.chance(typo):
            i = self.rng.randrange(6, 17)
            if self.chance(0.5):
                return (
                    number[:i]
                    + str((int(number[i]) + self.rng.randint(1, 9)) % 10)
                    + number[i + 1 :]
                )
            return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        if self.chance(0.03):
            return (
                number.lower()
                if number.endswith("X")
                else " ".join((number[:6], number[6:14], number[14:]))
            )
        return number

    def name(self, name: str) -> str:
        roll = self.rng.random()
        if roll < 0.03:
            return name.translate(TRADITIONAL)
        if roll < 0.05 and len(name) == 3:
            return name[0] + name[2] + name[1]
        if roll < 0.06 and len(name) >= 2:
            return name[:-1] + "?"
        if roll < 0.09:
            return "".join(DIALECT.get(ch, ch) for ch in name[:1]) + name[1:]
        if roll < 0.10:
            return name[0] + "　" + name[1:]
        return name

    def birth(self, birth: date) -> date:
        """A clerical variant of the birth date; never one in the future (a register refuses
        those, as the loader does)."""
        noisy = self._birth(birth)
        return noisy if noisy <= date.today() else birth

    def _birth(self, birth: date) -> date:
        roll = self.rng.random()
        if roll < 0.01 and birth.day <= 12 and birth.day != birth.month:
            return birth.replace(month=birth.day, day=birth.month)
        if roll < 0.02:
            return birth.replace(month=1, day=1)
        if roll < 0.025:
            return birth.replace(year=birth.year + self.rng.choice((-1, 1)), day=min(birth.day, 28))
        if roll < 0.035:
            return birth + timedelta(days=self.rng.randint(20, 50))
        return birth

    def phone(self, phone: str | None) -> str | None:
        if phone is None:
            return None
        roll = self.rng.random()
        if roll < 0.05:
            return "+86 " + phone
        if roll < 0.08:
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        return phone

    def address(self, address: str) -> str:
        head, _, flat = address.partition("号")
        building, _, rest = flat.partition("栋")
        unit, _, room = rest.partition("单元")
        roll = self.rng.random()
        if roll < 0.2:
            return f"{head.removeprefix(CITY)}号{building}-{unit}-{room}"
        if roll < 0.3:
            return f"{head}号{building}号楼{unit}单元{room}室"
        if roll < 0.35:
            digits = "".join(CN_DIGITS[int(d)] for d in room)
            return f"{head}号{CN_DIGITS[int(building)] if len(building) == 1 else building}栋{CN_DIGITS[int(unit)]}单元{digits}室"
        if roll < 0.4:
            return f"{head}号{building}#{unit}-{room}"
        return address


# --- the five feeds -------------------------------------------------------------------------------


def make_feeds(residents: list[Resident], *, seed: int = 11, today: date | None = None) -> Feeds:
    rng = random.Random(seed)
    today = today or date.today()
    noise = Noise(rng)
    files: dict[str, list[dict[str, Any]]] = {k: [] for k in FEED_FILES}
    truth: list[dict[str, Any]] = []
    by_id = {r.person_id: r for r in residents}

    def emit(
        source: str, key: str, row: dict[str, Any], person: int, mother: int | None = None
    ) -> None:
        files[source].append(row)
        truth.append(
            {"source": source, "record_key": key, "person_id": person, "mother_person_id": mother}
        )

    for r in residents:
        if noise.chance(0.93):  # police: nearly everyone, a few dead in police but alive in base
            dead = noise.chance(0.004)
            copies = 2 if noise.chance(0.005) else 1
            for copy in range(copies):
                key = f"P{r.person_id:08d}{'D' if copy else ''}"
                emit("police_hukou", key, {
                    "RYBH": key, "XM": noise.name(r.name), "CYM": "", "XB": "1" if r.sex == "M" else "2",
                    "CSRQ": f"{noise.birth(r.birth_date):%Y%m%d}",
                    "GMSFHM": (_old_id(r) if copy else noise.id_number(r.id_number, r.birth_date)),
                    "MZ": "01", "HH": r.household_no, "YHZGX": r.relation,
                    "HJDZ": noise.address(r.address), "RYZT": "死亡注销" if dead else "正常",
                    "SWRQ": f"{today - timedelta(days=rng.randint(30, 400)):%Y%m%d}" if dead else "",
                    "LXDH": noise.phone(r.phone) or "",
                }, r.person_id)  # fmt: skip
        age = today.year - r.birth_date.year
        if age >= 18 and noise.chance(0.6):
            relative = by_id.get(rng.choice(r.family)) if noise.chance(0.01) else None
            key = f"S{r.person_id:08d}"
            emit("social_security", key, {
                "个人编号": key, "姓名": noise.name(r.name),
                "公民身份号码": noise.id_number((relative or r).id_number, r.birth_date, typo=0.02),
                "性别": "1" if r.sex == "M" else "2", "出生日期": f"{noise.birth(r.birth_date):%Y-%m-%d}",
                "参保日期": f"{date(max(r.birth_date.year + 18, 1995), 7, 1):%Y-%m-%d}",
                "人员状态": "参保缴费", "待遇状态": "正常发放" if age >= 60 else "未领取",
                "手机号码": noise.phone((relative or r).phone) or "", "居住地址": noise.address(r.address),
            }, r.person_id)  # fmt: skip
        if r.relation in ("户主", "配偶") and noise.chance(0.4):
            key = f"F{r.person_id:08d}"
            emit("housing", key, {
                "登记编号": key, "姓名": noise.name(r.name), "证件号码": noise.id_number(r.id_number, r.birth_date),
                "联系电话": noise.phone(r.phone) or "",
                "房屋坐落": noise.address(rng.choice(residents).address if noise.chance(0.03) else r.address),
                "类别": "产权人" if noise.chance(0.7) else "承租人",
                "合同到期日": f"{today + timedelta(days=rng.randint(-200, 900)):%Y%m%d}",
            }, r.person_id)  # fmt: skip
        if 20 <= age <= 65 and noise.chance(0.03):
            key = f"L{r.person_id:08d}"
            emit("market_licences", key, {
                "注册号": key, "统一社会信用代码": "", "名称": f"{r.name[0]}记便利店",
                "经营者": noise.name(r.name), "经营者身份证号": noise.id_number(r.id_number, r.birth_date),
                "经营场所": noise.address(r.address), "成立日期": f"{today - timedelta(days=rng.randint(100, 3000)):%Y-%m-%d}",
                "登记状态": "存续",
            }, r.person_id)  # fmt: skip
        if r.birth_date >= today - timedelta(days=365) and r.mother in by_id:
            mother = by_id[r.mother]
            key = f"B{r.person_id:08d}"
            placeholder = rng.choice(
                (f"{mother.name}之{'子' if r.sex == 'M' else '女'}", "大宝", "小宝", r.name)
            )
            emit("hospital_births", key, {
                "记录号": key, "新生儿姓名": placeholder, "性别": "男" if r.sex == "M" else "女",
                "出生日期": f"{r.birth_date.year}/{r.birth_date.month}/{r.birth_date.day}",
                "母亲姓名": noise.name(mother.name), "母亲身份证号": noise.id_number(mother.id_number, mother.birth_date),
                "父亲姓名": "", "父亲身份证号": "", "家庭住址": noise.address(r.address),
                "联系电话": noise.phone(mother.phone) or "", "医院": "宜昌市中心人民医院", "胎次": "1",
            }, r.person_id, mother.person_id)  # fmt: skip
    return Feeds(residents=residents, files=files, truth=truth)


def _old_id(r: Resident) -> str:
    """A duplicate's ID: the 15-digit one if the person had one, else none at all."""
    return r.id_number[:6] + r.id_number[8:17] if r.birth_date.year < 1980 else ""


FEED_FILES = ("police_hukou", "hospital_births", "social_security", "housing", "market_licences")


def write_feeds(feeds: Feeds, out: Path, *, fmt: str = "csv") -> dict[str, Path]:
    """One file per source (CSV or Parquet) and ``truth.csv``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for source, rows in feeds.files.items():
        path = out / f"{source}.{fmt}"
        _write(path, rows, fmt)
        paths[source] = path
    truth = out / "truth.csv"
    _write(truth, feeds.truth, "csv")
    paths["truth"] = truth
    return paths


def _write(path: Path, rows: list[dict[str, Any]], fmt: str) -> None:
    if not rows:
        path.write_text("", encoding="utf-8")
        return
    header = list(rows[0])
    if fmt == "parquet":
        # lazy: pyarrow loads only to read or write a Parquet file
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.table({h: [None if r[h] is None else str(r[h]) for r in rows] for h in header})
        pq.write_table(table, path)
        return
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)


def iter_rows(rows: list[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any]]]:
    return ((i, row) for i, row in enumerate(rows, start=2))


# --- the demo: feeds of the demo community, loaded and reconciled --------------------------------

RELATION_WORDS = {"head": "户主", "spouse": "配偶", "child": "子女", "parent": "父母"}


def population_from_db(
    session: Any, region_code: str, *, extra_newborns: int = 8, seed: int = 5
) -> list[Resident]:
    """The base persons of a region as residents (IDs and phones decrypted), mothers found in
    their households, plus a few newborns the base has not heard of yet (the hospital's record
    is the first news of them)."""
    rows = session.execute(
        select(Person.id, Person.name, Person.sex, Person.birth_date, Person.id_number_enc,
               Person.phone_enc, Person.current_address, Person.registered_address,
               Person.household_id, Person.relation_to_head)
        .where(Person.grid_code.like(f"{region_code}%"), Person.living_status == "alive",
               Person.id_type == "resident_id")
        .order_by(Person.id)
    ).all()  # fmt: skip
    residents: list[Resident] = []
    families: dict[int, list[Resident]] = {}
    for row in rows:
        address = row.current_address or row.registered_address
        if not address or not row.birth_date:
            continue
        resident = Resident(
            person_id=row.id, name=row.name, sex=row.sex, birth_date=row.birth_date,
            id_number=decrypt(row.id_number_enc),
            phone=decrypt(row.phone_enc) if row.phone_enc else None, address=address,
            household_no=f"H{row.household_id or -row.id}",
            relation=RELATION_WORDS.get(row.relation_to_head or "", "其他"),
        )  # fmt: skip
        residents.append(resident)
        families.setdefault(row.household_id or -row.id, []).append(resident)
    today = date.today()
    for members in families.values():
        ids = [m.person_id for m in members]
        mother = next(
            (m for m in members if m.sex == "F" and m.relation in ("户主", "配偶")
             and 18 <= today.year - m.birth_date.year <= 50), None,
        )  # fmt: skip
        for m in members:
            m.family = ids
            if mother is not None and m.relation == "子女":
                m.mother = mother.person_id
    rng = random.Random(seed)
    mothers = [r for r in residents if r.sex == "F" and 22 <= today.year - r.birth_date.year <= 40]
    next_id = -1
    for mother in rng.sample(mothers, min(extra_newborns, len(mothers))):
        residents.append(
            Resident(
                person_id=next_id,
                name=mother.name[0] + random_name(rng)[1:],
                sex=rng.choice("MF"),
                birth_date=today - timedelta(days=rng.randint(2, 20)),
                id_number="",
                phone=None,
                address=mother.address,
                household_no=mother.household_no,
                relation="子女",
                mother=mother.person_id,
                family=mother.family,
            )
        )
        next_id -= 1
    return residents


def unborn_in_base(feeds: Feeds) -> Feeds:
    """Drop what other departments would say of newborns the base lacks (they have no ID yet):
    only the hospital's record of them stays."""
    keep = {
        (t["source"], t["record_key"])
        for t in feeds.truth
        if t["person_id"] > 0 or t["source"] == "hospital_births"
    }
    files = {
        source: [row for row in rows if (source, _record_key(source, row)) in keep]
        for source, rows in feeds.files.items()
    }
    return Feeds(residents=feeds.residents, files=files, truth=feeds.truth)


def _record_key(source: str, row: dict[str, Any]) -> str:
    key_column = parse_mapping(_mapping_text(source)).record_id
    return str(row[key_column])


def _mapping_text(source: str) -> str:
    return (SHIPPED / f"{source}.toml").read_text(encoding="utf-8")


def demo_step(console: Any) -> None:
    """Register the five sources, load feeds of the demo community staff's community, reconcile:
    the data office and the community staff find a review queue, findings and quality reports."""
    started = time.perf_counter()
    principal = system_principal("demo-sources")
    with job_session() as session:
        region = session.scalar(select(User.region_code).where(User.username == "community_staff"))
        if not region or session.scalar(select(Source.id).limit(1)) is not None:
            return
        sources = [
            add_source(session, principal=principal, name=name,
                       mapping_text=_mapping_text(name), department=None)[0]
            for name in FEED_FILES
        ]  # fmt: skip
        feeds = unborn_in_base(make_feeds(population_from_db(session, region), seed=19))
        for source in sources:
            rows = feeds.files[source.name]
            load_rows(session, principal=principal, source=source, rows=iter_rows(rows),
                      channel="file", filename=f"{source.name}.csv")  # fmt: skip
        summary = reconcile(session, principal=principal, sources=sources, train=False)
    console.print(
        f"[green]Sources[/green]: {summary.records:,} department records of community {region} "
        f"reconciled ({', '.join(f'{k} {v:,}' for k, v in sorted(summary.decisions.items()))}; "
        f"{summary.findings:,} findings) in {time.perf_counter() - started:.1f} s"
    )
