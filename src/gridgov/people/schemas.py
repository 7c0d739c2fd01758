"""Schemas of persons and households. Validation messages are Chinese, then English."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from gridgov.authz.policy import Purpose
from gridgov.models.household import HouseholdKind
from gridgov.models.person import IdType, LivingStatus, ResidenceType
from gridgov.people.identifiers import IdentifierError, parse_resident_id
from gridgov.people.tags import TAG_SOURCES, TAGS
from gridgov.people.text import normalise_phone

if TYPE_CHECKING:
    from gridgov.housing.schemas import HouseRead

GRID_CODE = re.compile(r"^\d{15}$")
RELATIONS = (
    "head",  # 户主
    "spouse",  # 配偶
    "child",  # 子女
    "child_in_law",  # 儿媳/女婿
    "grandchild",  # 孙子女
    "parent",  # 父母
    "grandparent",  # 祖父母
    "sibling",  # 兄弟姐妹
    "other",  # 其他
)
Sex = Literal["M", "F"]
Relation = Literal[
    "head",
    "spouse",
    "child",
    "child_in_law",
    "grandchild",
    "parent",
    "grandparent",
    "sibling",
    "other",
]


def check_grid_code(value: str) -> str:
    value = value.strip()
    if not GRID_CODE.match(value):
        raise ValueError("网格编码应为15位数字 / A grid code has 15 digits")
    return value


def check_phone(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    phone = normalise_phone(value)
    digits = phone.lstrip("+")
    if not 7 <= len(digits) <= 15:
        raise ValueError("电话号码应为7至15位数字 / A phone number has 7 to 15 digits")
    if len(digits) == 11 and digits[0] == "1" and digits[1] not in "3456789":
        raise ValueError("手机号码格式不正确 / The mobile number is not valid")
    return phone


class TagIn(BaseModel):
    code: str
    source: str = "grid_worker"

    @field_validator("code")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in TAGS:
            raise ValueError(f"未知标签：{value} / Unknown tag: {value}")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value not in TAG_SOURCES:
            raise ValueError(f"未知标签来源：{value} / Unknown tag source: {value}")
        return value


class _PersonFields(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    ethnicity: str | None = Field(default=None, max_length=16)
    nationality: str | None = Field(default=None, min_length=3, max_length=3)
    phone: str | None = None
    registered_address: str | None = Field(default=None, max_length=200)
    current_address: str | None = Field(default=None, max_length=200)
    moved_in_on: date | None = None
    permit_expires_on: date | None = None
    household_id: int | None = None
    relation_to_head: Relation | None = None
    house_id: int | None = None

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return check_phone(value)


class PersonCreate(_PersonFields):
    id_type: IdType = IdType.RESIDENT_ID
    id_number: str = Field(min_length=5, max_length=32)
    name: str = Field(min_length=1, max_length=64)
    sex: Sex | None = None
    birth_date: date | None = None
    residence_type: ResidenceType = ResidenceType.REGISTERED
    living_status: LivingStatus = LivingStatus.ALIVE
    tags: list[TagIn] = Field(default_factory=list)
    grid_code: str

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str) -> str:
        return check_grid_code(value)

    @model_validator(mode="after")
    def _identity(self) -> PersonCreate:
        self.id_number = self.id_number.strip().upper()
        self.sex, self.birth_date = check_identity(
            self.id_type, self.id_number, self.sex, self.birth_date
        )
        if self.id_type == IdType.RESIDENT_ID and self.residence_type == ResidenceType.FOREIGN:
            raise FieldProblem(
                "境外人员应使用护照或居留证件 / Foreign residents are identified by passport or permit",
                "residence_type",
            )
        return self


class FieldProblem(ValueError):
    """A check across fields that names the field at fault (the importer's row errors show it)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def check_identity(
    id_type: str, id_number: str, sex: str | None, birth_date: date | None
) -> tuple[Sex, date]:
    """For a resident ID derive sex and birth date and check the given ones against them."""
    if id_type == IdType.RESIDENT_ID:
        try:
            parsed = parse_resident_id(id_number)
        except IdentifierError as exc:
            raise FieldProblem(f"{exc.message} / {exc.message_en}", "id_number") from None
        if birth_date is not None and birth_date != parsed.birth_date:
            raise FieldProblem(
                "出生日期与身份证号不一致 / The birth date does not match the resident ID",
                "birth_date",
            )
        if sex is not None and sex != parsed.sex:
            raise FieldProblem(
                "性别与身份证号不一致 / The sex does not match the resident ID", "sex"
            )
        return ("M" if parsed.sex == "M" else "F"), parsed.birth_date
    if sex is None or birth_date is None:
        raise FieldProblem(
            "非身份证证件需填写性别和出生日期 / Sex and birth date are required without a resident ID",
            "birth_date",
        )
    return ("M" if sex == "M" else "F"), birth_date


class PersonUpdate(_PersonFields):
    """Only the fields sent are changed (``model_fields_set``)."""

    id_type: IdType | None = None
    id_number: str | None = Field(default=None, min_length=5, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=64)
    sex: Sex | None = None
    birth_date: date | None = None
    residence_type: ResidenceType | None = None
    living_status: LivingStatus | None = None
    tags: list[TagIn] | None = None
    grid_code: str | None = None

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str | None) -> str | None:
        return None if value is None else check_grid_code(value)


class ChangeRequest(BaseModel):
    """What every API write carries besides the data: the reason, and for updates the version
    the edit was made on (a stale version is a 409 conflict, never a silent overwrite)."""

    reason: str | None = Field(default=None, max_length=200)

    def changes(self) -> Any:
        """The record's fields the client sent (without reason and base version): an update
        changes exactly these (``model_fields_set``)."""
        changes = self.model_copy()
        changes.__pydantic_fields_set__ = self.model_fields_set - {"reason", "base_version"}
        return changes


class PersonCreateRequest(PersonCreate, ChangeRequest):
    pass


class PersonUpdateRequest(PersonUpdate, ChangeRequest):
    base_version: int = Field(ge=1)


class VersionedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    version: int
    changed_at: datetime
    changed_by_name: str | None
    change_source: str
    change_reason: str | None


class PersonRead(VersionedRead):
    """Masked by default (GB/T 35273): ID number first 6 + last 4, phone 3 + 4."""

    id: int
    id_type: str
    id_number_masked: str
    name: str
    name_pinyin: str
    sex: str
    birth_date: date
    ethnicity: str | None
    nationality: str | None
    phone_masked: str | None
    registered_address: str | None
    current_address: str | None
    residence_type: str
    living_status: str
    moved_in_on: date | None
    permit_expires_on: date | None
    tags: list[dict[str, Any]]
    household_id: int | None
    relation_to_head: str | None
    house_id: int | None
    grid_code: str


class PersonFullRead(PersonRead):
    id_number: str
    phone: str | None


class FullViewRequest(BaseModel):
    purpose: Purpose


class HouseholdCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    household_no: str | None = Field(default=None, min_length=4, max_length=32)
    kind: HouseholdKind = HouseholdKind.REGISTERED
    house_id: int | None = None
    grid_code: str
    address: str | None = Field(default=None, max_length=200)

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str) -> str:
        return check_grid_code(value)


class HouseholdUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    kind: HouseholdKind | None = None
    house_id: int | None = None
    grid_code: str | None = None
    address: str | None = Field(default=None, max_length=200)
    status: Literal["active", "dissolved"] | None = None

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str | None) -> str | None:
        return None if value is None else check_grid_code(value)


class HouseholdCreateRequest(HouseholdCreate, ChangeRequest):
    pass


class HouseholdUpdateRequest(HouseholdUpdate, ChangeRequest):
    base_version: int = Field(ge=1)


class HouseholdRead(VersionedRead):
    id: int
    household_no: str
    kind: str
    house_id: int | None
    grid_code: str
    address: str | None
    status: str


class HouseholdDetail(HouseholdRead):
    members: list[PersonRead]


class VersionRead(BaseModel):
    """One version of a record; ``current`` marks the row as it is now."""

    version: int
    changed_at: datetime
    changed_by_name: str | None
    change_source: str
    change_reason: str | None
    current: bool
    data: dict[str, Any]
    changed_fields: list[str]


class PersonDetail(PersonRead):
    # HouseRead builds on this module: housing/schemas.py completes this model once it exists.
    household: HouseholdRead | None = None
    members: list[PersonRead] = []
    house: HouseRead | None = None
