"""Households and residents of the synthetic population, drawn for a batch of grids at once.

~20 % of households are floating (IDs with other provinces' address codes, registered address
there, a move-in date, some with residence permits), a few foreign residents live alone with a
passport; every resident ID is a valid GB 11643 number, unique city-wide, whose birth date and
sex match the person. Ethnicities, phones, care and GB/T 31000 special-group tags with their
source, and a few deaths and moves complete the picture.

Rows are built column by column (lists of the values as stored: dates as ISO text, JSON as its
text) for ``people.bulk.Columns``; numpy draws everything, Python only assembles strings.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from gridgov.models.house import HouseUse
from gridgov.models.household import HouseholdKind
from gridgov.models.person import IdType, LivingStatus, ResidenceType
from gridgov.people.sensitive import Protector
from gridgov.people.tags import tag_codes_text
from gridgov.people.text import given_name, name_pinyin
from gridgov.sim.compounds import Estate, Site
from gridgov.sim.households import HEAD, RELATIONS, compose, pick
from gridgov.sim.names import draw_names, name_table

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
FLOATING_SHARE = 0.2
FOREIGN_SHARE = 0.002  # of the other households
_ID_WEIGHTS = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2))
_ID_CHECK = np.array(list("10X98765432"), dtype=object)
_OLDEST = np.datetime64("1900-01-01")


@dataclass
class Residents:
    """Draws households and residents batch after batch; keeps the ID numbers in use (unique
    city-wide) and the next household and person ids."""

    gen: np.random.Generator
    today: date
    household_id: int
    person_id: int
    protector: Protector = field(default_factory=Protector)
    used_ids: set[int] = field(default_factory=set)  # first 17 digits of resident IDs
    used_passports: set[str] = field(default_factory=set)

    def build(
        self, sites: Sequence[Site], estate: Estate
    ) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
        """Household and person columns for the occupied flats of ``estate``; marks the flats of
        floating and foreign households as rented."""
        gen = self.gen
        n = len(estate.occupied)
        floating = gen.random(n) < FLOATING_SHARE
        foreign = ~floating & (gen.random(n) < FOREIGN_SHARE)
        uses = estate.houses["use"]
        for row in estate.occupied[floating | foreign].tolist():
            uses[row] = HouseUse.RENTED.value
        grid_codes = np.array([site.code for site in sites], dtype=object)[estate.occupied_grid]
        house_ids = np.asarray(estate.houses["id"])[estate.occupied]
        addresses = np.array(estate.houses["address"], dtype=object)[estate.occupied]
        ids = np.arange(self.household_id, self.household_id + n)
        self.household_id += n
        households = {
            "id": ids.tolist(),
            "household_no": [
                f"{code}{i % 10000:04d}{suffix:02d}"
                for code, i, suffix in zip(
                    grid_codes.tolist(), ids.tolist(), gen.integers(0, 100, n).tolist(), strict=True
                )
            ],
            "kind": np.where(
                floating | foreign, HouseholdKind.RESIDENT.value, HouseholdKind.REGISTERED.value
            ).tolist(),
            "house_id": house_ids.tolist(),
            "grid_code": grid_codes.tolist(),
            "address": addresses.tolist(),
        }
        home = _Homes(
            ids=ids,
            house_ids=house_ids,
            grid_codes=grid_codes,
            addresses=addresses,
            floating=floating,
            foreign=foreign,
            district=np.array([int(site.district_code) for site in sites])[estate.occupied_grid],
            origin=gen.integers(0, len(OTHER_PROVINCES), n),
            moved_in=np.datetime64(self.today) - gen.integers(30, 5 * 365 + 1, n),
        )
        return households, self._persons(home)

    def _persons(self, home: _Homes) -> dict[str, list[Any]]:
        gen = self.gen
        members = compose(gen, alone=home.foreign)
        hh = members.household
        total = len(hh)
        age = members.age
        floating = home.floating[hh]
        foreign = home.foreign[hh]
        male = members.male.copy()

        today = np.datetime64(self.today)
        birth = np.maximum(today - (age * 365 + gen.integers(0, 365, total)), _OLDEST)
        years = (today - birth).astype(np.int64) // 365  # age as of the birth date drawn

        table = name_table()
        surname, given = draw_names(gen, male)
        surname = surname[members.surname_from]
        names = table.surnames[surname] + table.given[given]
        given_names = table.given[given]
        pinyin = table.surname_pinyin[surname] + table.given_pinyin[given]
        initials = table.surname_initials[surname] + table.given_initials[given]
        nationality = np.full(total, None, dtype=object)
        id_type = np.where(foreign, IdType.PASSPORT.value, IdType.RESIDENT_ID.value)
        numbers = np.empty(total, dtype=object)
        visitors = np.flatnonzero(foreign)
        for i, choice in zip(
            visitors.tolist(), gen.integers(0, len(FOREIGNERS), len(visitors)).tolist(), strict=True
        ):
            code, name, sex = FOREIGNERS[choice]
            names[i], given_names[i] = name, given_name(name)
            pinyin[i], initials[i] = name_pinyin(name)
            nationality[i], male[i] = code, sex == "M"
            numbers[i] = self._passport(code)
        residents = np.flatnonzero(~foreign)
        address_code = np.where(
            floating,
            np.array([int(code) for code, _ in OTHER_PROVINCES])[home.origin[hh]],
            home.district[hh],
        )
        numbers[residents] = self._resident_ids(
            address_code[residents], birth[residents], male[residents]
        )
        protected_ids = self.protector.id_numbers(numbers.tolist())

        with_phone = np.flatnonzero((years >= 14) & (gen.random(total) < 0.95))
        phone_enc = np.full(total, None, dtype=object)
        phone_hash = np.full(total, None, dtype=object)
        phone_masked = np.full(total, None, dtype=object)
        protected_phones = self.protector.phones(_phones(gen, len(with_phone)))
        phone_enc[with_phone] = protected_phones.enc
        phone_hash[with_phone] = protected_phones.hash
        phone_masked[with_phone] = protected_phones.masked

        ethnicities = np.array([name for name, _ in ETHNICITIES], dtype=object)
        ethnicity = ethnicities[pick(gen, [w for _, w in ETHNICITIES], total)]
        ethnicity[foreign] = None
        address = home.addresses[hh]
        origin_names = np.array([name for _, name in OTHER_PROVINCES], dtype=object)
        registered_address = np.where(
            floating, origin_names[home.origin[hh]], np.where(foreign, None, address)
        )
        residence = np.where(
            floating,
            ResidenceType.FLOATING.value,
            np.where(foreign, ResidenceType.FOREIGN.value, ResidenceType.REGISTERED.value),
        )
        roll = gen.random(total)
        not_head = members.relation != HEAD
        living = np.where(
            not_head & (roll < 0.006),
            LivingStatus.MOVED_AWAY.value,
            np.where(
                not_head & (roll < 0.009) & (years >= 60),
                LivingStatus.DECEASED.value,
                LivingStatus.ALIVE.value,
            ),
        )
        moved_in = home.moved_in[hh]
        moved_in_on = _iso_dates(moved_in, floating)
        permit = _iso_dates(moved_in + 365 * 3, floating & (gen.random(total) < 0.6))
        tags, tag_codes = _tags(gen, age, alone=members.size[hh] == 1)
        ids = np.arange(self.person_id, self.person_id + total)
        self.person_id += total
        return {
            "id": ids.tolist(),
            "id_type": id_type.tolist(),
            "id_number_enc": protected_ids.enc,
            "id_number_hash": protected_ids.hash,
            "id_number_masked": protected_ids.masked,
            "name": names.tolist(),
            "given_name": given_names.tolist(),
            "name_pinyin": pinyin.tolist(),
            "name_initials": initials.tolist(),
            "sex": np.where(male, "M", "F").tolist(),
            "birth_date": np.datetime_as_string(birth, unit="D").tolist(),
            "ethnicity": ethnicity.tolist(),
            "nationality": nationality.tolist(),
            "phone_enc": phone_enc.tolist(),
            "phone_hash": phone_hash.tolist(),
            "phone_masked": phone_masked.tolist(),
            "registered_address": registered_address.tolist(),
            "current_address": address.tolist(),
            "residence_type": residence.tolist(),
            "living_status": living.tolist(),
            "moved_in_on": moved_in_on,
            "permit_expires_on": permit,
            "tags": tags,
            "tag_codes": tag_codes,
            "household_id": home.ids[hh].tolist(),
            "relation_to_head": np.array(RELATIONS, dtype=object)[members.relation].tolist(),
            "house_id": home.house_ids[hh].tolist(),
            "grid_code": home.grid_codes[hh].tolist(),
        }

    def _resident_ids(self, address: np.ndarray, birth: np.ndarray, male: np.ndarray) -> list[str]:
        """GB 11643 numbers: address code, birth date, a sequence whose parity is the sex (odd
        for men) and the check character; drawn again where a number is already taken."""
        gen = self.gen
        day = birth.astype("datetime64[D]")
        month = day.astype("datetime64[M]")
        year = month.astype("datetime64[Y]")
        yyyymmdd = (
            (year.astype(np.int64) + 1970) * 10_000
            + (month.astype(np.int64) % 12 + 1) * 100
            + (day - month).astype(np.int64)
            + 1
        )
        prefix = address.astype(np.int64) * 10**11 + yyyymmdd * 1000 + male
        first17 = prefix + gen.integers(0, 500, len(prefix)) * 2
        todo = self._taken(first17)
        while len(todo):
            first17[todo] = prefix[todo] + gen.integers(0, 500, len(todo)) * 2
            todo = todo[self._taken(first17[todo])]
        total = np.zeros(len(first17), dtype=np.int64)
        rest = first17.copy()
        for weight in _ID_WEIGHTS[::-1]:  # last digit first
            total += (rest % 10) * weight
            rest //= 10
        check = _ID_CHECK[total % 11]
        return [f"{digits}{c}" for digits, c in zip(first17.tolist(), check.tolist(), strict=True)]

    def _taken(self, first17: np.ndarray) -> np.ndarray:
        """Positions whose number is in use (claiming the others, in order)."""
        used = self.used_ids
        taken: list[int] = []
        for i, number in enumerate(first17.tolist()):
            if number in used:
                taken.append(i)
            else:
                used.add(number)
        return np.array(taken, dtype=np.int64)

    def _passport(self, nationality: str) -> str:
        while True:
            number = f"{nationality[0]}{self.gen.integers(10_000_000, 100_000_000)}"
            if number not in self.used_passports:
                self.used_passports.add(number)
                return number


@dataclass(frozen=True)
class _Homes:
    """Per household of the batch: what its members share."""

    ids: np.ndarray
    house_ids: np.ndarray
    grid_codes: np.ndarray
    addresses: np.ndarray
    floating: np.ndarray
    foreign: np.ndarray
    district: np.ndarray  # the grid's district code (int)
    origin: np.ndarray  # index into OTHER_PROVINCES (floating households)
    moved_in: np.ndarray  # datetime64[D] (floating households)


def _iso_dates(days: np.ndarray, where: np.ndarray) -> list[str | None]:
    """The dates where ``where`` holds, None elsewhere."""
    out = np.full(len(days), None, dtype=object)
    out[where] = np.datetime_as_string(days[where], unit="D")
    return out.tolist()


def _phones(gen: np.random.Generator, n: int) -> list[str]:
    """Mobile numbers 13x/15x/17x/18x."""
    second = np.array([3, 5, 7, 8])[gen.integers(0, 4, n)]
    numbers = 10**10 + second * 10**9 + gen.integers(0, 10, n) * 10**8 + gen.integers(0, 10**8, n)
    return [str(number) for number in numbers.tolist()]


def _tags(
    gen: np.random.Generator, age: np.ndarray, *, alone: np.ndarray
) -> tuple[list[str], list[str]]:
    """Care and special-group tags (JSON text and the ``,a,b,`` codes): elderly living alone
    from the grid worker, the rest from departments, each by its own age range and rate."""
    total = len(age)
    rules = [(alone & (age >= 60), "elderly_alone", "grid_worker")]
    for code, p, source, low, high in TAG_RULES:
        rules.append(((age >= low) & (age <= high) & (gen.random(total) < p), code, source))
    texts = ["[]"] * total
    codes = [""] * total
    tagged = np.flatnonzero(np.logical_or.reduce([mask for mask, _, _ in rules]))
    for i in tagged.tolist():
        tags = [{"code": code, "source": source} for mask, code, source in rules if mask[i]]
        texts[i] = json.dumps(tags, ensure_ascii=False)
        codes[i] = tag_codes_text(tags)
    return texts, codes
