"""Schemas of organisations."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.models.organisation import OrganisationType
from gridgov.people.identifiers import IdentifierError, validate_credit_code
from gridgov.people.schemas import ChangeRequest, VersionedRead, check_grid_code


def check_credit_code(value: str) -> str:
    try:
        return validate_credit_code(value)
    except IdentifierError as exc:
        raise ValueError(f"{exc.message} / {exc.message_en}") from None


class Licence(BaseModel):
    kind: str = Field(min_length=2, max_length=32)
    number: str = Field(min_length=2, max_length=64)
    valid_until: date | None = None


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    credit_code: str
    name: str = Field(min_length=2, max_length=200)
    org_type: OrganisationType = OrganisationType.ENTERPRISE
    industry: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=200)
    house_id: int | None = None
    grid_code: str
    legal_representative: str | None = Field(default=None, max_length=64)
    licences: list[Licence] = Field(default_factory=list)

    @field_validator("credit_code")
    @classmethod
    def _code(cls, value: str) -> str:
        return check_credit_code(value)

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str) -> str:
        return check_grid_code(value)


class OrganisationUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    name: str | None = Field(default=None, min_length=2, max_length=200)
    org_type: OrganisationType | None = None
    industry: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=200)
    house_id: int | None = None
    grid_code: str | None = None
    legal_representative: str | None = Field(default=None, max_length=64)
    licences: list[Licence] | None = None
    status: Literal["active", "suspended", "closed"] | None = None

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str | None) -> str | None:
        return None if value is None else check_grid_code(value)


class OrganisationCreateRequest(OrganisationCreate, ChangeRequest):
    pass


class OrganisationUpdateRequest(OrganisationUpdate, ChangeRequest):
    base_version: int = Field(ge=1)


class OrganisationRead(VersionedRead):
    id: int
    credit_code: str
    name: str
    org_type: str
    industry: str | None
    address: str | None
    house_id: int | None
    grid_code: str
    legal_representative: str | None
    licences: list[dict[str, Any]]
    status: str
