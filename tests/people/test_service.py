from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role, system_principal
from gridgov.kit.errors import BadRequest, Conflict, Forbidden, NotFound
from gridgov.kit.pagination import PageParams
from gridgov.models.audit import AuditEntry
from gridgov.people import service
from gridgov.people.identifiers import make_resident_id
from gridgov.people.repository import PersonFilters
from gridgov.people.schemas import HouseholdCreate, PersonCreate, PersonUpdate
from gridgov.people.stats import population_counts
from tests.people.conftest import GRID_A, GRID_B, GRID_OTHER, person_in, principal

SYSTEM = system_principal("test")


def test_create_masks_encrypts_and_derives(
    db: Session, grids: list[str], worker: Principal
) -> None:
    person = service.create_person(db, principal=worker, person_in=person_in())
    assert person.sex == "M" and person.birth_date == date(1985, 3, 14)
    assert person.id_number_masked.startswith("420502") and "*" in person.id_number_masked
    assert person.phone_masked == "138****1234"
    assert "13800001234" not in person.phone_enc
    assert person.name_pinyin == "wangxiaoming" and person.name_initials == "wxm"
    assert person.version == 1 and person.change_source == "grid_worker"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "person.create"))
    assert entry is not None and "id_number_enc" not in (entry.after or {})
    assert population_counts(db, region_codes=[GRID_A])[GRID_A].persons == 1


def test_given_birth_date_and_sex_are_checked() -> None:
    with pytest.raises(ValidationError, match="出生日期与身份证号不一致"):
        person_in(birth_date=date(1985, 3, 15))
    with pytest.raises(ValidationError, match="性别与身份证号不一致"):
        person_in(sex="F")
    bad = make_resident_id("420502", date(1985, 3, 14), 11)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    with pytest.raises(ValidationError, match="校验码"):
        PersonCreate(id_number=bad, name="张三", grid_code=GRID_A)


def test_unknown_grid_duplicate_and_scope(db: Session, grids: list[str], worker: Principal) -> None:
    with pytest.raises(BadRequest):
        service.create_person(
            db, principal=SYSTEM, person_in=person_in(grid_code="420502001001999")
        )
    with pytest.raises(Forbidden):
        service.create_person(db, principal=worker, person_in=person_in(grid_code=GRID_B))
    service.create_person(db, principal=worker, person_in=person_in())
    with pytest.raises(Conflict):
        service.create_person(db, principal=worker, person_in=person_in(name="李四"))


def test_update_versions_history_and_stale_base(
    db: Session, grids: list[str], worker: Principal, community_staff: Principal
) -> None:
    person = service.create_person(db, principal=worker, person_in=person_in())
    service.update_person(
        db,
        principal=worker,
        person_id=person.id,
        changes=PersonUpdate(phone="13900005678", current_address="宜昌市西陵区解放路1号"),
        reason="上门核实",
        base_version=1,
    )
    assert person.version == 2 and person.phone_masked == "139****5678"
    # Same values again: no new version.
    service.update_person(
        db, principal=worker, person_id=person.id, changes=PersonUpdate(phone="13900005678")
    )
    assert person.version == 2
    with pytest.raises(Conflict):
        service.update_person(
            db,
            principal=community_staff,
            person_id=person.id,
            changes=PersonUpdate(name="王晓明"),
            base_version=1,
        )
    service.update_person(
        db,
        principal=community_staff,
        person_id=person.id,
        changes=PersonUpdate(living_status="deceased"),
        source="department",
        reason="死亡通知",
        base_version=2,
    )
    versions = service.person_history(db, principal=worker, person_id=person.id)
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[-1].current and versions[-1].change_source == "department"
    assert "phone" in versions[1].changed_fields and "current_address" in versions[1].changed_fields
    assert versions[0].data["phone_masked"] == "138****1234"
    assert all("id_number_enc" not in v.data for v in versions)
    # Death is a state: the record stays readable, the counts drop.
    assert service.get_person(db, principal=worker, person_id=person.id).living_status == "deceased"
    assert population_counts(db, region_codes=[GRID_A])[GRID_A].persons == 0


def test_scope_hides_other_grids(db: Session, grids: list[str]) -> None:
    other = service.create_person(
        db, principal=SYSTEM, person_in=person_in(grid_code=GRID_OTHER, sequence=13)
    )
    mine = service.create_person(
        db, principal=SYSTEM, person_in=person_in(sequence=15, name="赵丽")
    )
    worker = principal(Role.GRID_WORKER, GRID_A)
    with pytest.raises(NotFound):
        service.get_person(db, principal=worker, person_id=other.id)
    rows, total = service.list_persons(
        db, principal=worker, filters=PersonFilters(), page=PageParams()
    )
    assert [p.id for p in rows] == [mine.id] and total == 1
    department = principal(Role.DEPARTMENT_HANDLER)
    assert (
        service.list_persons(db, principal=department, filters=PersonFilters(), page=PageParams())[
            1
        ]
        == 0
    )


def test_search_by_name_pinyin_id_phone(db: Session, grids: list[str]) -> None:
    a = service.create_person(db, principal=SYSTEM, person_in=person_in(name="王小明", sequence=11))
    b = service.create_person(
        db, principal=SYSTEM, person_in=person_in(name="李晓红", sequence=12, phone="13711112222")
    )
    leader = principal(Role.LEADER)

    def ids(**kw: object) -> list[int]:
        rows, _ = service.list_persons(
            db,
            principal=leader,
            filters=PersonFilters(**kw),
            page=PageParams(),  # type: ignore[arg-type]
        )
        return [p.id for p in rows]

    assert ids(q="小明") == [a.id]
    assert ids(q="wangx") == [a.id]
    assert ids(q="lxh") == [b.id]
    assert ids(q=make_resident_id("420502", date(1985, 3, 14), 12)) == [b.id]
    assert ids(q="137 1111 2222") == [b.id]
    assert ids(phone="13800001234") == [a.id]
    assert ids(sex="F") == [b.id]
    assert ids(q="晓红") == [b.id]
    assert ids(q="晓") == []  # one character: a surname
    assert ids(q="王") == [a.id] and ids(q="李晓红") == [b.id]
    assert ids(q="明") == []  # the search box: name, surname or given name from the start
    assert ids(name="明") == [a.id]  # the name filter: any part of the name


def test_full_view_is_logged_with_purpose(db: Session, grids: list[str], worker: Principal) -> None:
    person = service.create_person(db, principal=worker, person_in=person_in())
    full = service.full_view(db, principal=worker, person_id=person.id, purpose="上门核实身份")
    assert full.id_number == make_resident_id("420502", date(1985, 3, 14), 11)
    assert full.phone == "13800001234"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "person.full_view"))
    assert entry is not None and entry.purpose == "上门核实身份"
    with pytest.raises(Forbidden):
        service.full_view(db, principal=principal(Role.LEADER), person_id=person.id, purpose="看看")


def test_household_members(db: Session, grids: list[str], worker: Principal) -> None:
    household = service.create_household(
        db, principal=worker, household_in=HouseholdCreate(grid_code=GRID_A)
    )
    head = service.create_person(
        db,
        principal=worker,
        person_in=person_in(household_id=household.id, relation_to_head="head"),
    )
    child = service.create_person(
        db,
        principal=worker,
        person_in=person_in(
            name="王小宝",
            birth=date(2015, 6, 1),
            sequence=22,
            household_id=household.id,
            relation_to_head="child",
        ),
    )
    members = service.household_members(db, principal=worker, household_id=household.id)
    assert [m.id for m in members] == [head.id, child.id]
    assert population_counts(db, region_codes=[GRID_A[:12]])[GRID_A[:12]].households == 1


def test_identity_corrections(db: Session, grids: list[str], worker: Principal) -> None:
    person = service.create_person(db, principal=worker, person_in=person_in())
    corrected = make_resident_id("420502", date(1986, 7, 8), 20)
    service.update_person(
        db, principal=worker, person_id=person.id, changes=PersonUpdate(id_number=corrected)
    )
    assert person.birth_date == date(1986, 7, 8) and person.sex == "F"
    assert person.id_number_masked.endswith(corrected[-4:])
    foreigner = service.create_person(
        db,
        principal=worker,
        person_in=PersonCreate(
            id_type="passport",
            id_number="E12345678",
            name="约翰·史密斯",
            sex="M",
            birth_date=date(1980, 1, 1),
            residence_type="foreign",
            nationality="USA",
            grid_code=GRID_A,
        ),
    )
    service.update_person(
        db, principal=worker, person_id=foreigner.id, changes=PersonUpdate(id_number="E87654321")
    )
    assert foreigner.sex == "M" and foreigner.birth_date == date(1980, 1, 1)
    with pytest.raises(BadRequest):
        service.update_person(
            db, principal=worker, person_id=person.id, changes=PersonUpdate(sex="M")
        )
