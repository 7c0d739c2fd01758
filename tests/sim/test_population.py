from collections import Counter

from shapely.geometry import box
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridgov.kit.crypto import decrypt
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import Person
from gridgov.people.identifiers import parse_resident_id, validate_credit_code
from gridgov.people.stats import population_counts
from gridgov.sim.population import GridSite, _Builder, _Start, populate


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


def test_populate_fills_a_consistent_base(db: Session) -> None:
    sites = _sites()
    steps: list[int] = []
    summary = populate(db, grids=sites, seed=7, progress=steps.append)
    assert sum(steps) == 3
    assert summary.households == 200 + 230 + 260
    assert 2.4 < summary.persons / summary.households < 3.0
    assert db.scalar(select(func.count()).select_from(Person)) == summary.persons
    assert db.scalar(select(func.count()).select_from(Household)) == summary.households
    assert summary.organisations >= 6
    persons = list(db.scalars(select(Person)))
    numbers = [decrypt(p.id_number_enc) for p in persons]
    assert len(set(numbers)) == len(numbers)
    floating = 0
    for person, number in zip(persons, numbers, strict=True):
        if person.id_type != "resident_id":
            continue
        parsed = parse_resident_id(number)
        assert parsed.birth_date == person.birth_date
        assert parsed.sex == person.sex
        if person.residence_type == "registered":
            assert parsed.address_code == "420502"
        else:
            floating += 1
            assert not parsed.address_code.startswith("42")
        assert person.current_address and person.current_address.startswith("宜昌市西陵区")
    assert 0.1 < floating / len(persons) < 0.3
    heads = Counter(p.household_id for p in persons if p.relation_to_head == "head")
    assert set(heads.values()) == {1}
    for org in db.scalars(select(Organisation)):
        assert validate_credit_code(org.credit_code) == org.credit_code
    houses = db.scalar(select(func.count()).select_from(House))
    assert houses and houses > summary.households
    counts = population_counts(db, region_codes=["420502001001001", "420502001001", "420502", ""])
    assert counts["420502001001"].households == summary.households
    assert counts[""].persons == counts["420502"].persons
    alive = sum(1 for p in persons if p.living_status == "alive")
    assert counts["420502001001"].persons == alive


def test_generation_is_deterministic(db: Session) -> None:
    site = _sites(1)[0]
    start = _Start.read(db)
    first, second = _Builder(11, start), _Builder(11, start)
    first.grid(site)
    second.grid(site)
    assert [p["name"] for p in first.persons] == [p["name"] for p in second.persons]
    assert [h["address"] for h in first.houses] == [h["address"] for h in second.houses]


def test_forked_generation_loads_the_same_city(db: Session, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import gridgov.sim.population as population

    monkeypatch.setattr(population, "PARALLEL_FROM_GRIDS", 1)
    monkeypatch.setattr(population, "CHUNK_GRIDS", 1)
    summary = populate(db, grids=_sites(3), seed=7)
    assert summary.grids == 3 and summary.households == 690
    names = list(db.scalars(select(Person.name).order_by(Person.id)))
    start = _Start.read(db)  # after loading: ids continue, content is the seed's
    inline = _Builder(7, start)
    for site in _sites(3):
        inline.grid(site)
    assert [p["name"] for p in inline.persons] == names
    # The session still works after the forked generator exited.
    assert db.scalar(select(func.count()).select_from(Household)) == 690
