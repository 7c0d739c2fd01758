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
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from gridgov.models.house import House
from gridgov.models.household import Household, HouseholdKind

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
# Chinese numerals are converted only before a marker of a number, so 胜利四路 stays a road name.
_CN_NUMBER = re.compile(r"([零〇一二两三四五六七八九十百]+)(?=栋|幢|座|号|单元|门|室|楼|层|#|-)")
_CN_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十百]")
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


class ParsedAddress(NamedTuple):  # a tuple: made for every distinct address of a file
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
    text = "".join(unicodedata.normalize("NFKC", text).split())  # str.split's whitespace is \\s
    text = _DASHES.sub("-", text)
    if _CN_NUMERAL.search(text) is None:  # most addresses: no numeral to look at
        return text
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
    return resolve_addresses(session, [text]).get(text or "")


def resolve_addresses(
    session: Session, texts: Iterable[str | None]
) -> dict[str, ResolvedAddress | None]:
    """:func:`resolve_address` of many addresses (keyed by their text): the addresses written
    with city and district are looked up together, the others one by one."""
    parsed = {text: parse_address(text) for text in dict.fromkeys(t or "" for t in texts)}
    full: dict[str, str] = {}  # text → the register's spelling with city and district
    for text, parts in parsed.items():
        key = flat_key(parts) if parts is not None else None
        if parts is not None and key is not None and (parts.city or parts.district):
            full[text] = f"{parts.city or ''}{parts.district or ''}{key}"
    at = _houses_at(session, set(full.values()))
    houses: dict[str, tuple[int, str, str] | None] = {}
    for text in parsed:
        houses[text] = at.get(full[text]) if text in full else None
    left = {t: p for t, p in parsed.items() if houses[t] is None and p is not None}
    scanned = len(left) > SCAN_FROM
    by_key = _houses_ending_with(session, left.values()) if scanned else {}
    for text, parts in left.items():
        key = flat_key(parts)
        houses[text] = by_key.get(key) if scanned and key else _house_of(session, parts)
    households = _current_households(session, {h[0] for h in houses.values() if h is not None})
    resolved: dict[str, ResolvedAddress | None] = {}
    for text, house in houses.items():
        resolved[text] = None
        if house is not None:
            house_id, grid_code, address = house
            resolved[text] = ResolvedAddress(
                house_id=house_id,
                household_id=households.get(house_id),
                grid_code=grid_code,
                address=address,
            )
    return resolved


# From this many addresses without city and district on, one pass over the register's
# addresses beats a LIKE '%…' scan of the houses per address (each one a full scan: ~10 ms
# at the reference city's 277 k houses; a hospital's day of births is hundreds of them).
SCAN_FROM = 50


def _houses_ending_with(
    session: Session, parts: Iterable[ParsedAddress]
) -> dict[str, tuple[int, str, str] | None]:
    """Flat key → the one active house whose register address ends with it (``None`` where
    several do), for every key of ``parts``; keys no house ends with are left out."""
    keys = {k for k in (flat_key(p) for p in parts) if k}
    lengths = sorted({len(k) for k in keys})
    found: dict[str, tuple[int, str, str] | None] = {}
    rows = session.execute(
        select(House.id, House.grid_code, House.address).where(House.status == "active")
    )
    for house_id, grid_code, address in rows:
        text = str(address)
        for length in lengths:
            tail = text[-length:]
            if tail in keys:
                found[tail] = None if tail in found else (int(house_id), str(grid_code), text)
    return found


def _house_of(session: Session, parsed: ParsedAddress) -> tuple[int, str, str] | None:
    """The one house of an address not found by its full spelling (no city or district
    written, or written differently from the register)."""
    key = flat_key(parsed)
    if key is not None:
        return _one_house(session, House.address.like(f"%{key}"))
    if parsed.road and parsed.number and parsed.building and parsed.room and not parsed.unit:
        # No unit written: the flat is still one house if only one unit has this room.
        pattern = f"%{parsed.road}{parsed.number}号{parsed.building}栋_单元{parsed.room}"
        return _one_house(session, House.address.like(pattern))
    return None


def _houses_at(session: Session, addresses: set[str]) -> dict[str, tuple[int, str, str]]:
    """Register address → its house, for the addresses that name exactly one active house."""
    found: dict[str, list[tuple[int, str, str]]] = {}
    ordered = sorted(addresses)
    for start in range(0, len(ordered), 500):
        for house_id, grid_code, address in session.execute(
            select(House.id, House.grid_code, House.address).where(
                House.address.in_(ordered[start : start + 500]), House.status == "active"
            )
        ):
            found.setdefault(str(address), []).append((int(house_id), str(grid_code), str(address)))
    return {address: rows[0] for address, rows in found.items() if len(rows) == 1}


def _current_households(session: Session, house_ids: set[int]) -> dict[int, int]:
    """house → its current household: the registered one first, then the oldest."""
    chosen: dict[int, tuple[int, int]] = {}
    ordered = sorted(house_ids)
    for start in range(0, len(ordered), 500):
        for household_id, house_id, kind in session.execute(
            select(Household.id, Household.house_id, Household.kind).where(
                Household.house_id.in_(ordered[start : start + 500]),
                Household.status == "active",
            )
        ):
            rank = (0 if kind == HouseholdKind.REGISTERED.value else 1, household_id)
            if house_id is not None and rank < chosen.get(house_id, (2, 0)):
                chosen[house_id] = rank
    return {house_id: rank[1] for house_id, rank in chosen.items()}


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
