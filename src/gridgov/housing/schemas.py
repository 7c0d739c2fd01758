"""Schemas of houses."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gridgov.models.house import HouseUse
from gridgov.people.schemas import (
    ChangeRequest,
    PersonDetail,
    PersonRead,
    VersionedRead,
    check_grid_code,
)


class HouseCreate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    address: str = Field(min_length=4, max_length=200)
    grid_code: str
    building: str | None = Field(default=None, max_length=100)
    unit: str | None = Field(default=None, max_length=16)
    floor: int | None = Field(default=None, ge=-5, le=200)
    room: str | None = Field(default=None, max_length=16)
    building_floors: int | None = Field(default=None, ge=1, le=200)
    use: HouseUse = HouseUse.RESIDENCE
    area_m2: float | None = Field(default=None, gt=0, le=100_000)
    owner_name: str | None = Field(default=None, max_length=100)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str) -> str:
        return check_grid_code(value)


class HouseUpdate(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    address: str | None = Field(default=None, min_length=4, max_length=200)
    grid_code: str | None = None
    building: str | None = Field(default=None, max_length=100)
    unit: str | None = Field(default=None, max_length=16)
    floor: int | None = Field(default=None, ge=-5, le=200)
    room: str | None = Field(default=None, max_length=16)
    building_floors: int | None = Field(default=None, ge=1, le=200)
    use: HouseUse | None = None
    area_m2: float | None = Field(default=None, gt=0, le=100_000)
    owner_name: str | None = Field(default=None, max_length=100)
    lng: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    status: Literal["active", "demolished"] | None = None

    @field_validator("grid_code")
    @classmethod
    def _grid(cls, value: str | None) -> str | None:
        return None if value is None else check_grid_code(value)


class HouseCreateRequest(HouseCreate, ChangeRequest):
    pass


class HouseUpdateRequest(HouseUpdate, ChangeRequest):
    base_version: int = Field(ge=1)


class HouseRead(VersionedRead):
    id: int
    address: str
    grid_code: str
    building: str | None
    unit: str | None
    floor: int | None
    room: str | None
    building_floors: int | None
    use: str
    area_m2: float | None
    owner_name: str | None
    lng: float | None
    lat: float | None
    status: str


class HouseDetail(HouseRead):
    residents: list[PersonRead] = []


# A person's detail shows the house (people/schemas.py cannot import this module: a cycle).
PersonDetail.model_rebuild(_types_namespace={"HouseRead": HouseRead})
