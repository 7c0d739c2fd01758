"""Bulk import of persons from CSV or Excel: a dry run that reports every rejected row, then a
commit that loads the valid rows (with their households and houses) in the caller's transaction.

Columns are matched by Chinese or English header (``身份证号``/``id_number``, ``姓名``/``name``,
``网格编码``/``grid_code`` …, see :data:`COLUMNS`). Each row is checked by the schema the API
creates a person with (``PersonCreate``: GB 11643 check digit, birth date and sex against the
ID, phone, lengths, codes, tags, dates), every problem reported with its row, field and message
in both languages; the file adds masked IDs, duplicates inside the file, a known grid inside the
caller's area, one grid per household, and conflicts with the base. Valid rows are
bulk-loaded (COPY on PostgreSQL), so 800 k rows take minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import covers
from gridgov.authz.principal import Principal
from gridgov.housing.repository import HouseRepository
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import field_messages
from gridgov.kit.files import COMMAND_LINE_LIMITS, UPLOAD_LIMITS, FileLimits, iter_table
from gridgov.models.house import House, HouseUse
from gridgov.models.household import Household, HouseholdKind
from gridgov.models.person import IdType, LivingStatus, Person, ResidenceType
from gridgov.models.region import Region
from gridgov.people.bulk import (
    analyze,
    bulk_insert,
    deferred_indexes,
    next_id,
    sync_sequence,
)
from gridgov.people.repository import HouseholdRepository, PersonRepository
from gridgov.people.schemas import PersonCreate
from gridgov.people.sensitive import Protector, lookups
from gridgov.people.stats import refresh_grid_stats
from gridgov.people.tags import TAGS, tag_codes_text
from gridgov.people.text import given_name, name_pinyin

# field → accepted headers (first is the one exports write)
COLUMNS: dict[str, tuple[str, ...]] = {
    "id_type": ("证件类型", "id_type"),
    "id_number": ("身份证号", "证件号码", "公民身份号码", "id_number"),
    "name": ("姓名", "name"),
    "sex": ("性别", "sex"),
    "birth_date": ("出生日期", "birth_date"),
    "ethnicity": ("民族", "ethnicity"),
    "nationality": ("国籍", "nationality"),
    "phone": ("联系电话", "手机号码", "电话", "phone"),
    "registered_address": ("户籍地址", "户籍地", "registered_address"),
    "current_address": ("现住址", "居住地址", "current_address"),
    "residence_type": ("人口类型", "residence_type"),
    "living_status": ("人员状态", "living_status"),
    "moved_in_on": ("迁入日期", "moved_in_on"),
    "grid_code": ("网格编码", "grid_code"),
    "household_no": ("户号", "household_no"),
    "relation_to_head": ("与户主关系", "relation_to_head"),
    "house_address": ("房屋地址", "标准地址", "house_address"),
    "tags": ("标签", "tags"),
}
_HEADER_FIELD = {header.lower(): name for name, headers in COLUMNS.items() for header in headers}
SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F", "1": "M", "2": "F"}
RESIDENCE = {"户籍": "registered", "户籍人口": "registered", "流动": "floating", "流动人口": "floating",
             "境外": "foreign", "境外人员": "foreign"}  # fmt: skip
LIVING = {
    "正常": "alive",
    "在世": "alive",
    "死亡": "deceased",
    "迁出": "moved_away",
    "离开": "moved_away",
}
RELATION_ZH = {"户主": "head", "本人": "head", "配偶": "spouse", "妻": "spouse", "夫": "spouse",
               "子女": "child", "子": "child", "女": "child", "儿媳": "child_in_law",
               "女婿": "child_in_law", "孙子女": "grandchild", "孙子": "grandchild",
               "孙女": "grandchild", "父母": "parent", "父亲": "parent", "母亲": "parent",
               "祖父母": "grandparent", "兄弟姐妹": "sibling", "其他": "other"}  # fmt: skip
ID_TYPES = {"居民身份证": "resident_id", "身份证": "resident_id", "护照": "passport",
            "居留证": "permit", "永久居留证": "permit"}  # fmt: skip
TAG_BY_NAME = {zh: code for code, (zh, _, _) in TAGS.items()}
BATCH = 20_000


@dataclass
class RowError:
    row: int
    field: str | None
    message: str
    message_en: str


@dataclass
class ImportReport:
    total: int = 0
    valid: int = 0
    errors: list[RowError] = field(default_factory=list)
    committed: bool = False
    persons_created: int = 0
    households_created: int = 0
    houses_created: int = 0
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "valid": self.valid,
            "rejected": self.rejected,
            "committed": self.committed,
            "persons_created": self.persons_created,
            "households_created": self.households_created,
            "houses_created": self.houses_created,
            "seconds": round(self.seconds, 2),
            "errors": [e.__dict__ for e in self.errors],
        }


class _Reject(Exception):
    """A row's problems: (field, message, message_en) each."""

    def __init__(self, problems: list[tuple[str | None, str, str]]) -> None:
        self.problems = problems


# -- reading ----------------------------------------------------------------------------------
def read_rows(
    path_or_file: Path | IO[bytes],
    *,
    filename: str | None = None,
    limits: FileLimits = COMMAND_LINE_LIMITS,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number as the user sees it, {field: text}) for a CSV or XLSX file; header row 1.
    The file is opened with :mod:`gridgov.kit.files` (size, rows and cells bounded)."""
    name = filename or getattr(path_or_file, "name", "") or str(path_or_file)
    raw = path_or_file.read_bytes() if isinstance(path_or_file, Path) else path_or_file.read()
    yield from rows_of_table(iter_table(raw, filename=str(name), limits=limits))


def parse_upload(content: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """An uploaded file read whole, within the upload limits (before any database work)."""
    return list(rows_of_table(iter_table(content, filename=filename, limits=UPLOAD_LIMITS)))


def rows_of_table(table: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    names: list[str | None] | None = None
    for number, values in table:
        if names is None:
            names = [_HEADER_FIELD.get(h.strip().lower()) for h in values]
            continue
        cells = {n: v for n, v in zip(names, values, strict=False) if n and v}
        if cells:
            yield number, cells


# -- checking ---------------------------------------------------------------------------------
def _date(value: str | None) -> str | None:
    """A sheet's way of writing a date (2020/1/2, 2020.01.02, 20200102) as ISO; anything else
    goes to the schema as written, which says what is wrong with it."""
    if not value:
        return None
    text = value.strip().replace("/", "-").replace(".", "-")
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    parts = text[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[0]:0>4}-{parts[1]:0>2}-{parts[2]:0>2}"
    return text


def _word(words: dict[str, str], value: str | None) -> str | None:
    """A sheet's word for a code (男 → M, 流动 → floating …), else the value as written."""
    if not value:
        return None
    return words.get(value, words.get(value.lower(), value))


@dataclass
class _Context:
    session: Session
    principal: Principal
    grids: set[str]
    protector: Protector
    seen: dict[str, int] = field(default_factory=dict)
    households: dict[str, str] = field(default_factory=dict)  # household_no → grid in file


def _check(ctx: _Context, cells: dict[str, str], number: int) -> dict[str, Any]:
    """A row as the base stores it. The person is checked by the API's own schema
    (``PersonCreate``: required fields, ID check digit, sex and birth date against the ID,
    phone, lengths, codes, tags, dates); this function only maps the sheet's words to codes and
    checks what belongs to a file: masked IDs, duplicates in the file, a known grid inside the
    caller's area, a household in one grid."""
    number_text = cells.get("id_number", "").replace(" ", "").upper()
    if "*" in number_text:
        raise _Reject(
            [
                (
                    "id_number",
                    "证件号码已脱敏，不能导入",
                    "The ID number is masked and cannot be imported",
                )
            ]
        )
    tags = [
        {"code": TAG_BY_NAME.get(part.strip(), part.strip()), "source": "import"}
        for part in (
            cells.get("tags", "").replace("；", ";").replace("、", ";").replace(",", ";").split(";")
        )
        if part.strip()
    ]
    values: dict[str, Any] = {
        "id_type": _word(ID_TYPES, cells.get("id_type")) or IdType.RESIDENT_ID.value,
        "id_number": number_text or None,
        "name": cells.get("name"),
        "sex": _word(SEX, cells.get("sex")),
        "birth_date": _date(cells.get("birth_date")),
        "ethnicity": cells.get("ethnicity"),
        "nationality": cells.get("nationality"),
        "phone": cells.get("phone"),
        "registered_address": cells.get("registered_address"),
        "current_address": cells.get("current_address") or cells.get("house_address"),
        "moved_in_on": _date(cells.get("moved_in_on")),
        "residence_type": _word(RESIDENCE, cells.get("residence_type"))
        or ResidenceType.REGISTERED.value,
        "living_status": _word(LIVING, cells.get("living_status")) or LivingStatus.ALIVE.value,
        "relation_to_head": _word(RELATION_ZH, cells.get("relation_to_head")),
        "tags": tags,
        "grid_code": cells.get("grid_code"),
    }
    try:
        person = PersonCreate.model_validate({k: v for k, v in values.items() if v is not None})
    except ValidationError as exc:
        raise _Reject([(m.field, m.message, m.message_en) for m in field_messages(exc)]) from None
    grid = person.grid_code
    if grid not in ctx.grids:
        raise _Reject([("grid_code", f"未知网格编码：{grid}", f"Unknown grid code: {grid}")])
    if not covers(ctx.principal, grid):
        raise _Reject(
            [("grid_code", f"网格 {grid} 不在您的管辖范围内", f"Grid {grid} outside your area")]
        )
    id_hash = ctx.protector.hash(person.id_number)
    first = ctx.seen.get(id_hash)
    if first is not None:
        raise _Reject([("id_number", f"与第 {first} 行证件号码重复", f"Duplicate of row {first}")])
    household_no = cells.get("household_no")
    if household_no:
        known = ctx.households.setdefault(household_no, grid)
        if known != grid:
            raise _Reject(
                [
                    (
                        "household_no",
                        f"户号 {household_no} 在文件中属于另一网格",
                        "Household in another grid",
                    )
                ]
            )
    return {
        "id_type": person.id_type.value,
        "id_number": person.id_number,
        "id_hash": id_hash,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "ethnicity": person.ethnicity,
        "nationality": person.nationality,
        "phone": person.phone,
        "registered_address": person.registered_address,
        "current_address": person.current_address,
        "residence_type": person.residence_type.value,
        "living_status": person.living_status.value,
        "moved_in_on": person.moved_in_on,
        "grid_code": grid,
        "household_no": household_no,
        "relation_to_head": person.relation_to_head,
        "house_address": cells.get("house_address"),
        "tags": [{"code": t.code, "source": t.source} for t in person.tags],
    }


# -- importing --------------------------------------------------------------------------------
def import_persons(
    session: Session,
    *,
    principal: Principal,
    rows: Iterator[tuple[int, dict[str, str]]],
    commit: bool,
    reason: str | None = None,
    actor: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row; with ``commit`` load the valid ones (never commits the session)."""
    started = utcnow()
    report = ImportReport()
    ctx = _Context(
        session=session,
        principal=principal,
        grids=set(session.scalars(select(Region.code).where(Region.level == "grid"))),
        protector=Protector(),
    )
    valid: list[tuple[int, dict[str, Any]]] = []
    pending: list[tuple[int, dict[str, Any]]] = []

    def check_base(batch: list[tuple[int, dict[str, Any]]]) -> None:
        # Under every key of the ring: while `keys rotate` runs, a person not yet re-keyed
        # still has the retired key's hash.
        hashes = {number: lookups(row["id_number"]) for number, row in batch}
        existing = PersonRepository(session).existing_id_hashes(
            [h for each in hashes.values() for h in each]
        )
        for number, row in batch:
            if not existing.isdisjoint(hashes[number]):
                report.errors.append(
                    RowError(number, "id_number", "该证件号码已在人口库中", "Already in the base")
                )
            else:
                valid.append((number, row))

    for number, cells in rows:
        report.total += 1
        try:
            row = _check(ctx, cells, number)
        except _Reject as reject:
            report.errors.extend(RowError(number, *problem) for problem in reject.problems)
        else:
            ctx.seen[row["id_hash"]] = number
            pending.append((number, row))
        if len(pending) >= BATCH:
            check_base(pending)
            pending = []
        if progress is not None and report.total % 1000 == 0:
            progress(1000)
    check_base(pending)
    if progress is not None:
        progress(report.total % 1000)
    report.valid = len(valid)
    report.errors.sort(key=lambda e: e.row)
    if commit and valid:
        _load(session, ctx, valid, report, principal=principal, reason=reason, actor=actor)
        report.committed = True
        trail.record(
            session,
            action="person.import",
            object_type="person",
            principal=principal,
            after={
                "total": report.total,
                "loaded": report.persons_created,
                "rejected": report.rejected,
                "households_created": report.households_created,
                "houses_created": report.houses_created,
            },
            note=reason,
        )
    report.seconds = (utcnow() - started).total_seconds()
    return report


def _load(
    session: Session,
    ctx: _Context,
    valid: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    *,
    principal: Principal,
    reason: str | None,
    actor: str | None,
) -> None:
    meta = {
        "version": 1,
        "changed_at": utcnow(),
        "changed_by_id": None if principal.system else principal.user_id,
        "changed_by_name": (actor or principal.username)
        if principal.system
        else principal.username,
        "change_source": "import",
        "change_reason": reason,
    }
    # Houses: existing by address, else new in the row's grid.
    addresses = sorted({r["house_address"] for _, r in valid if r["house_address"]})
    houses = {a: h.id for a, h in HouseRepository(session).by_addresses(addresses).items()}
    new_houses: list[dict[str, Any]] = []
    house_id = next_id(session, House)
    for _, row in valid:
        address = row["house_address"]
        if address and address not in houses:
            houses[address] = house_id
            new_houses.append(
                {
                    "id": house_id,
                    "address": address,
                    "grid_code": row["grid_code"],
                    "use": HouseUse.RENTED
                    if row["residence_type"] != "registered"
                    else HouseUse.RESIDENCE,
                    "status": "active",
                    **meta,
                }
            )
            house_id += 1
    # Households: existing by number, else new.
    numbers = sorted({r["household_no"] for _, r in valid if r["household_no"]})
    households = {n: h.id for n, h in HouseholdRepository(session).by_numbers(numbers).items()}
    new_households: list[dict[str, Any]] = []
    household_id = next_id(session, Household)
    for _, row in valid:
        household_no = row["household_no"]
        if household_no and household_no not in households:
            households[household_no] = household_id
            new_households.append(
                {
                    "id": household_id,
                    "household_no": household_no,
                    "kind": HouseholdKind.REGISTERED
                    if row["residence_type"] == "registered"
                    else HouseholdKind.RESIDENT,
                    "house_id": houses.get(row["house_address"]) if row["house_address"] else None,
                    "grid_code": row["grid_code"],
                    "address": row["house_address"] or row["current_address"],
                    "status": "active",
                    **meta,
                }
            )
            household_id += 1
    bulk_insert(session, House, new_houses)
    bulk_insert(session, Household, new_households)
    with deferred_indexes(session, [Person], len(valid)):
        protector = ctx.protector
        person_id = next_id(session, Person)
        batch: list[dict[str, Any]] = []
        grids: set[str] = set()
        for _, row in valid:
            protected = protector.id_number(row["id_number"], id_hash=row["id_hash"])
            phone = protector.phone(row["phone"]) if row["phone"] else None
            pinyin, initials = name_pinyin(row["name"])
            grids.add(row["grid_code"])
            batch.append(
                {
                    "id": person_id,
                    "id_type": row["id_type"],
                    "id_number_enc": protected.enc,
                    "id_number_hash": protected.hash,
                    "id_number_masked": protected.masked,
                    "name": row["name"],
                    "given_name": given_name(row["name"]),
                    "name_pinyin": pinyin,
                    "name_initials": initials,
                    "sex": row["sex"],
                    "birth_date": row["birth_date"],
                    "ethnicity": row["ethnicity"],
                    "nationality": row["nationality"],
                    "phone_enc": phone.enc if phone else None,
                    "phone_hash": phone.hash if phone else None,
                    "phone_masked": phone.masked if phone else None,
                    "registered_address": row["registered_address"],
                    "current_address": row["current_address"],
                    "residence_type": row["residence_type"],
                    "living_status": row["living_status"],
                    "moved_in_on": row["moved_in_on"],
                    "permit_expires_on": None,
                    "tags": row["tags"],
                    "tag_codes": tag_codes_text(row["tags"]),
                    "household_id": households.get(row["household_no"])
                    if row["household_no"]
                    else None,
                    "relation_to_head": row["relation_to_head"],
                    "house_id": houses.get(row["house_address"]) if row["house_address"] else None,
                    "grid_code": row["grid_code"],
                    **meta,
                }
            )
            person_id += 1
            if len(batch) >= BATCH:
                bulk_insert(session, Person, batch)
                batch = []
        bulk_insert(session, Person, batch)
    for model in (House, Household, Person):
        sync_sequence(session, model)
    if len(valid) >= 10_000:
        analyze(session, [House, Household, Person])
    refresh_grid_stats(session, grid_codes=grids)
    report.persons_created = len(valid)
    report.households_created = len(new_households)
    report.houses_created = len(new_houses)
