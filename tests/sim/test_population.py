from collections import Counter, defaultdict

import shapely
from shapely.geometry import box
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.kit.crypto import decrypt, lookup_hash, mask_id_number, mask_phone
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import Person
from gridgov.people.identifiers import parse_resident_id, validate_credit_code
from gridgov.people.stats import population_counts
from gridgov.people.text import given_name, name_pinyin
from gridgov.sim.population import GridSite, _Generator, _Start, populate


def _sites(n: int = 3) -> list[GridSite]:
    sites = []
    for i in range(n):
        x = 111.3 + i * 0.004
        sites.append(
            GridSite(
                region_id=i + 1,
                code=f"420502001001{i + 1:03d}",
                district_code="420502",
                polygon=box(x, 30.7, x + 0.0035, 30.7028),
                households=200 + 30 * i,
            )
        )
    return sites


class _Progress:
    def __init__(self) -> None:
        self.phases: dict[str, int] = {}
        self.phase = ""

    def start(self, phase: str, total: int) -> None:
        self.phase = phase
        self.phases[phase] = 0

    def advance(self, amount: int = 1) -> None:
        self.phases[self.phase] += amount


def test_populate_fills_a_consistent_base(db: Session) -> None:
    sites = _sites()
    progress = _Progress()
    summary = populate(db, grids=sites, seed=7, progress=progress)
    assert progress.phases == {"population": 3, "indexes": 0, "statistics": 0}
    assert summary.households == 200 + 230 + 260
    assert 2.4 < summary.persons / summary.households < 3.0
    assert db.scalar(select(func.count()).select_from(Person)) == summary.persons
    assert db.scalar(select(func.count()).select_from(Household)) == summary.households
    assert summary.organisations >= 6
    persons = list(db.scalars(select(Person).order_by(Person.id)))
    numbers = [decrypt(p.id_number_enc) for p in persons]
    assert len(set(numbers)) == len(numbers)
    floating = 0
    for person, number in zip(persons, numbers, strict=True):
        assert person.id_number_hash == lookup_hash(number)
        assert person.id_number_masked == mask_id_number(number)
        assert (person.name_pinyin, person.name_initials) == name_pinyin(person.name)
        assert person.given_name == given_name(person.name)
        if person.phone_enc:
            phone = decrypt(person.phone_enc)
            assert person.phone_hash == lookup_hash(phone)
            assert person.phone_masked == mask_phone(phone)
        assert person.current_address and person.current_address.startswith("宜昌市西陵区")
        if person.id_type != "resident_id":
            assert person.residence_type == "foreign" and person.nationality
            continue
        parsed = parse_resident_id(number)
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        if person.residence_type == "registered":
            assert parsed.address_code == "420502"
            assert person.registered_address == person.current_address
        else:
            floating += 1
            assert not parsed.address_code.startswith("42")
            assert person.moved_in_on is not None
    assert 0.1 < floating / len(persons) < 0.3
    heads = Counter(p.household_id for p in persons if p.relation_to_head == "head")
    assert set(heads.values()) == {1}
    assert len(heads) == summary.households
    for org in db.scalars(select(Organisation)):
        assert validate_credit_code(org.credit_code) == org.credit_code
    houses = db.scalar(select(func.count()).select_from(House))
    assert houses and houses > summary.households
    counts = population_counts(db, region_codes=["420502001001001", "420502001001", "420502", ""])
    assert counts["420502001001"].households == summary.households
    assert counts[""].persons == counts["420502"].persons
    alive = sum(1 for p in persons if p.living_status == "alive")
    assert counts["420502001001"].persons == alive


def test_households_live_in_houses_of_their_grid(db: Session) -> None:
    sites = _sites(2)
    populate(db, grids=sites, seed=3)
    polygons = {site.code: site.polygon for site in sites}
    houses = {house.id: house for house in db.scalars(select(House))}
    assert len({house.address for house in houses.values()}) == len(houses)
    for house in houses.values():
        assert shapely.contains_xy(polygons[house.grid_code], house.lng, house.lat)
    members: defaultdict[int, list[Person]] = defaultdict(list)
    for person in db.scalars(select(Person)):
        members[person.household_id or 0].append(person)
    in_house: Counter[int] = Counter()
    for household in db.scalars(select(Household)):
        house = houses[household.house_id or 0]
        in_house[house.id] += 1
        assert house.grid_code == household.grid_code == household.household_no[:15]
        assert house.address == household.address
        assert house.use == ("rented" if household.kind == "resident" else "residence")
        people = members[household.id]
        assert all(p.house_id == house.id and p.grid_code == house.grid_code for p in people)
        head = next(p for p in people if p.relation_to_head == "head")
        for spouse in (p for p in people if p.relation_to_head == "spouse"):
            assert spouse.sex != head.sex
        for child in (p for p in people if p.relation_to_head == "child"):
            assert child.birth_date > head.birth_date
    assert set(in_house.values()) == {1}
    vacant = sum(1 for house in houses.values() if house.use == "vacant")
    assert 0.05 < vacant / len(houses) < 0.3


def _rows(generator: _Generator, sites: list[GridSite]) -> dict[str, list[object]]:
    """The generated person columns that do not depend on random nonces."""
    persons: dict[str, list[object]] = defaultdict(list)
    for site in sites:
        for name, values in generator.columns([site])[Person].values.items():
            if not name.endswith("_enc"):
                persons[name] += values
    return persons


def test_generation_is_deterministic(db: Session) -> None:
    start = _Start.read(db)
    first, second = _Generator(11, start), _Generator(11, start)
    assert _rows(first, _sites(2)) == _rows(second, _sites(2))
    other = _rows(_Generator(12, start), _sites(2))
    assert other["name"] != _rows(_Generator(11, start), _sites(2))["name"]


def test_forked_generation_loads_the_same_city(db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gridgov.sim.population as population

    start = _Start.read(db)
    monkeypatch.setattr(population, "PARALLEL_FROM_GRIDS", 1)
    monkeypatch.setattr(population, "CHUNK_GRIDS", 1)
    summary = populate(db, grids=_sites(3), seed=7)
    assert summary.grids == 3 and summary.households == 690
    names = list(db.scalars(select(Person.name).order_by(Person.id)))
    hashes = list(db.scalars(select(Person.id_number_hash).order_by(Person.id)))
    inline = _rows(_Generator(7, start), _sites(3))
    assert inline["name"] == names
    assert inline["id_number_hash"] == hashes
    # The session still works after the forked generator exited.
    assert db.scalar(select(func.count()).select_from(Household)) == 690
