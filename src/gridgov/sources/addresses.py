"""Addresses of department records → the house of the house register (一标三实).

The register writes one standard address per house (``宜昌市西陵区解放路12号5栋2单元1203``, see
``sim/compounds.py``); departments write the same flat as ``5-2-1203``, ``5号楼2单元1203室``,
``五栋二单元1203``, ``5#2-1203``, with or without city and district. :func:`parse_address`
splits any of them into parts, :func:`flat_key` gives the part that names the flat in one canonical
spelling, and :func:`resolve_address` finds the house, its household and grid.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, case, select
from sqlalchemy.orm import Session

from gridgov.models.house import House
from gridgov.models.household import Household, HouseholdKind

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Chinese numerals are converted only before a marker of a number, so 胜利四路 stays a road name.
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百]+)(?=栋|幢|座|号|单元|门|室|楼|层|#|-)")
_DASHES = re.compile(r"[—–－~～]")

_CITY = re.compile(r"[^\d]{1,6}?市")
_DISTRICT = re.compile(r"[^\d路街道号]{1,6}?[区县]")
_STREET = re.compile(r"[^\d]{1,8}?街道")
_COMMUNITY = re.compile(r"[^\d]{1,8}?社区")
_ROAD = re.compile(r"(?P<road>[^\d]{1,12}?(?:大道|大街|路|街|巷|道))(?P<no>\d+)号(?!楼)")
_COMPOUND = re.compile(r"[^\d]{2,12}?(?:小区|花园|公寓|家园|苑|园|城)")
_B = r"(?P<b>\d+)"
_U = r"(?P<u>\d+)"
_R = r"(?P<r>\d{3,4})"
_B_MARK = r"(?:栋|幢|座|号楼|#|号)"
_FLAT_FORMS = (
    re.compile(rf"{_B}{_B_MARK}{_U}(?:单元|门){_R}(?:室|号|房)?$"),  # 5栋2单元1203室
    re.compile(rf"{_B}{_B_MARK}?-{_U}-{_R}(?:室|号|房)?$"),  # 5-2-1203, 5#-2-1203
    re.compile(rf"{_B}{_B_MARK}{_U}-{_R}(?:室|号|房)?$"),  # 5#2-1203, 5栋2-1203
    re.compile(rf"{_B}{_B_MARK}{_U}(?:单元|门)$"),  # 五栋二单元 (no room)
    re.compile(rf"{_B}{_B_MARK}{_R}(?:室|号|房)?$"),  # 5栋1203 (unit unknown)
    re.compile(rf"{_B}{_B_MARK}$"),  # 5栋
)
_SHOP = re.compile(r"(?P<shop>\d+)号(?:商铺|门面|店面)$")


@dataclass(frozen=True)
class ParsedAddress:
    city: str | None = None
    district: str | None = None
    street: str | None = None
    community: str | None = None
    road: str | None = None
    number: str | None = None
    compound: str | None = None
    building: str | None = None  # digits only: "5"
    unit: str | None = None  # digits only: "2"
    room: str | None = None  # "1203"
    shop: str | None = None  # "3" for 3号商铺
    rest: str = ""  # what could not be parsed

    @property
    def floor(self) -> int | None:
        return int(self.room[:-2]) if self.room and len(self.room) >= 3 else None

    def flat_part(self) -> str | None:
        """The flat as the register writes it after the road number: ``5栋2单元1203``."""
        if self.shop:
            return f"{self.shop}号商铺"
        if self.building and self.unit and self.room:
            return f"{self.building}栋{self.unit}单元{self.room}"
        return None


def _cn_to_int(text: str) -> int:
    if "十" not in text and "百" not in text:  # read digit by digit: 一二零三 → 1203
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[ch]
    return total + current


def clean_address(text: str) -> str:
    """NFKC (full-width digits and ``＃``), no spaces, one dash, Chinese numbers before a marker
    as digits."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", "", text)
    text = _DASHES.sub("-", text)
    return _CN_NUMBER.sub(lambda m: str(_cn_to_int(m.group(1))), text)


@lru_cache(maxsize=100_000)
def parse_address(text: str | None) -> ParsedAddress | None:
    """The parts of an address, or ``None`` for an empty one."""
    if not text or not text.strip():
        return None
    rest = clean_address(text)
    parts: dict[str, Any] = {}
    for name, pattern in (
        ("city", _CITY),
        ("district", _DISTRICT),
        ("street", _STREET),
        ("community", _COMMUNITY),
    ):
        match = pattern.match(rest)
        if match:
            parts[name] = match.group(0)
            rest = rest[match.end() :]
    road = _ROAD.match(rest)
    if road:
        parts["road"], parts["number"] = road.group("road"), road.group("no")
        rest = rest[road.end() :]
    compound = _COMPOUND.match(rest)
    if compound:
        parts["compound"] = compound.group(0)
        rest = rest[compound.end() :]
    shop = _SHOP.match(rest)
    if shop:
        return ParsedAddress(**parts, shop=shop.group("shop"))
    for form in _FLAT_FORMS:
        flat = form.match(rest)
        if flat:
            found = flat.groupdict()
            return ParsedAddress(
                **parts,
                building=str(int(found["b"])),
                unit=str(int(found["u"])) if found.get("u") else None,
                room=found.get("r"),
            )
    return ParsedAddress(**parts, rest=rest)


def flat_key(parsed: ParsedAddress) -> str | None:
    """Road, number and flat in the register's spelling (``解放路12号5栋2单元1203``): one key for
    every spelling of one flat, the same whatever city or district prefix the source wrote."""
    flat = parsed.flat_part()
    if not (parsed.road and parsed.number and flat):
        return None
    return f"{parsed.road}{parsed.number}号{flat}"


def address_key(text: str | None) -> str | None:
    """:func:`flat_key` of a raw address; for matching when no house could be resolved, the
    cleaned text."""
    parsed = parse_address(text)
    if parsed is None:
        return None
    return flat_key(parsed) or clean_address(text or "")


@dataclass(frozen=True)
class ResolvedAddress:
    house_id: int
    household_id: int | None
    grid_code: str
    address: str  # the register's standard address


def resolve_address(session: Session, text: str | None) -> ResolvedAddress | None:
    """The house of the house register at this address (any common spelling), with its current
    household (the registered one first) and grid; ``None`` when the address names no single
    house."""
    parsed = parse_address(text)
    if parsed is None:
        return None
    key = flat_key(parsed)
    if key is not None:
        prefix = f"{parsed.city or ''}{parsed.district or ''}"
        house = _one_house(session, House.address == prefix + key) if prefix else None
        if house is None:
            house = _one_house(session, House.address.like(f"%{key}"))
    elif parsed.road and parsed.number and parsed.building and parsed.room and not parsed.unit:
        # No unit written: the flat is still one house if only one unit has this room.
        pattern = f"%{parsed.road}{parsed.number}号{parsed.building}栋_单元{parsed.room}"
        house = _one_house(session, House.address.like(pattern))
    else:
        return None
    if house is None:
        return None
    house_id, grid_code, address = house
    household_id = session.scalar(
        select(Household.id)
        .where(Household.house_id == house_id, Household.status == "active")
        .order_by(
            case((Household.kind == HouseholdKind.REGISTERED.value, 0), else_=1), Household.id
        )
        .limit(1)
    )
    return ResolvedAddress(
        house_id=house_id, household_id=household_id, grid_code=grid_code, address=address
    )


def _one_house(session: Session, condition: ColumnElement[bool]) -> tuple[int, str, str] | None:
    rows = session.execute(
        select(House.id, House.grid_code, House.address)
        .where(condition, House.status == "active")
        .limit(2)
    ).all()
    if len(rows) != 1:
        return None
    house_id, grid_code, address = rows[0]
    return int(house_id), str(grid_code), str(address)
