"""Export of persons, households, houses and organisations to CSV or Excel, in the same shapes
the importer reads (Chinese headers). ID numbers and phones are masked unless ``full`` is asked
for with a purpose, which is written to the trail."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import readable_statement
from gridgov.authz.principal import Principal
from gridgov.kit.errors import BadRequest
from gridgov.models.house import House
from gridgov.models.household import Household
from gridgov.models.organisation import Organisation
from gridgov.models.person import Person
from gridgov.people.importer import COLUMNS
from gridgov.people.repository import region_prefix
from gridgov.people.sensitive import reveal
from gridgov.people.tags import TAGS

RELATION_LABEL = {"head": "户主", "spouse": "配偶", "child": "子女", "child_in_law": "儿媳/女婿",
                  "grandchild": "孙子女", "parent": "父母", "grandparent": "祖父母",
                  "sibling": "兄弟姐妹", "other": "其他"}  # fmt: skip
RESIDENCE_LABEL = {"registered": "户籍", "floating": "流动", "foreign": "境外"}
LIVING_LABEL = {"alive": "正常", "deceased": "死亡", "moved_away": "迁出", "merged": "已合并"}
PERSON_FIELDS = ("id_type", "id_number", "name", "sex", "birth_date", "ethnicity", "nationality",
                 "phone", "registered_address", "current_address", "residence_type",
                 "living_status", "moved_in_on", "grid_code", "household_no",
                 "relation_to_head", "house_address", "tags")  # fmt: skip
HOUSEHOLD_COLUMNS = (("户号", "household_no"), ("户类型", "kind"), ("网格编码", "grid_code"),
                     ("地址", "address"), ("状态", "status"), ("版本", "version"))  # fmt: skip
HOUSE_COLUMNS = (("标准地址", "address"), ("网格编码", "grid_code"), ("楼栋", "building"),
                 ("单元", "unit"), ("楼层", "floor"), ("房号", "room"), ("总层数", "building_floors"),
                 ("用途", "use"), ("面积", "area_m2"), ("产权人", "owner_name"), ("经度", "lng"),
                 ("纬度", "lat"), ("状态", "status"), ("版本", "version"))  # fmt: skip
ORGANISATION_COLUMNS = (("统一社会信用代码", "credit_code"), ("单位名称", "name"),
                        ("单位类型", "org_type"), ("行业", "industry"), ("地址", "address"),
                        ("网格编码", "grid_code"), ("法定代表人", "legal_representative"),
                        ("状态", "status"), ("版本", "version"))  # fmt: skip


def _write(path: Path, header: list[str], rows: Iterable[list[Any]]) -> int:
    count = 0
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        # lazy: openpyxl (~0.5 s) loads only when a workbook is read or written, not at every start
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(header)
        for row in rows:
            sheet.append(row)
            count += 1
        workbook.save(path)
        return count
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
    return count


CATEGORIES = {
    Person: "person",
    Household: "household",
    House: "house",
    Organisation: "organisation",
}


def _scoped(model: Any, principal: Principal, region_code: str | None) -> Any:
    stmt = readable_statement(principal, model, category=CATEGORIES.get(model))
    if region_code:
        stmt = stmt.where(region_prefix(model.grid_code, region_code))
    return stmt.order_by(model.grid_code, model.id).execution_options(yield_per=5000)


def export_persons(
    session: Session,
    *,
    principal: Principal,
    path: Path,
    region_code: str | None = None,
    full: bool = False,
    purpose: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    if full and not (purpose and len(purpose.strip()) >= 2):
        raise BadRequest("导出完整证件号码须说明用途", "A full export needs a stated purpose")
    households = dict(session.execute(select(Household.id, Household.household_no)).all())
    houses = dict(session.execute(select(House.id, House.address)).all())

    def rows() -> Iterator[list[Any]]:
        for n, person in enumerate(session.scalars(_scoped(Person, principal, region_code)), 1):
            yield [
                {"resident_id": "居民身份证", "passport": "护照", "permit": "居留证"}.get(
                    person.id_type, person.id_type
                ),
                reveal(person.id_number_enc) if full else person.id_number_masked,
                person.name,
                "男" if person.sex == "M" else "女",
                person.birth_date.isoformat(),
                person.ethnicity,
                person.nationality,
                (reveal(person.phone_enc) if full else person.phone_masked),
                person.registered_address,
                person.current_address,
                RESIDENCE_LABEL.get(person.residence_type, person.residence_type),
                LIVING_LABEL.get(person.living_status, person.living_status),
                person.moved_in_on.isoformat() if person.moved_in_on else None,
                person.grid_code,
                households.get(person.household_id) if person.household_id else None,
                RELATION_LABEL.get(person.relation_to_head or "", person.relation_to_head),
                houses.get(person.house_id) if person.house_id else None,
                ";".join(TAGS[t["code"]][0] for t in person.tags or [] if t["code"] in TAGS),
            ]
            if progress is not None and n % 10_000 == 0:
                progress(10_000)

    count = _write(path, [COLUMNS[f][0] for f in PERSON_FIELDS], rows())
    trail.record(
        session,
        action="person.export_full" if full else "person.export",
        object_type="person",
        principal=principal,
        purpose=purpose,
        after={"rows": count, "region": region_code, "file": path.name},
    )
    return count


def export_table(
    session: Session,
    *,
    kind: str,
    principal: Principal,
    path: Path,
    region_code: str | None = None,
) -> int:
    model, columns = {
        "households": (Household, HOUSEHOLD_COLUMNS),
        "houses": (House, HOUSE_COLUMNS),
        "organisations": (Organisation, ORGANISATION_COLUMNS),
    }[kind]
    rows = (
        [getattr(obj, name) for _, name in columns]
        for obj in session.scalars(_scoped(model, principal, region_code))
    )
    count = _write(path, [label for label, _ in columns], rows)
    trail.record(
        session,
        action=f"{kind}.export",
        object_type=kind,
        principal=principal,
        after={"rows": count, "region": region_code, "file": path.name},
    )
    return count
