"""Request and response bodies of the accounts API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from gridgov.authz.principal import Role

USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{2,63}$"
# PostgreSQL text cannot hold NUL: refuse it at the edge (422) instead of failing in the database.
NO_NUL = r"^[^\x00]*$"
Channel = Literal["api", "field_app"]


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)
    channel: Channel = "api"


class TokenRefresh(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200, pattern=NO_NUL)


class TokenRead(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    must_change_password: bool


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)
    new_password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    role: Role
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)
    display_name: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    region_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z_\-]{1,24}$")
    department_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z_\-]{1,32}$")
    staff_id: int | None = None
    must_change_password: bool = True


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str | None = Field(default=None, max_length=64, pattern=NO_NUL)
    # A new role: its data scope (region or department) comes with it; what the new role does
    # not use is cleared. Administrator roles are granted on the command line only.
    role: Role | None = None
    region_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z_\-]{1,24}$")
    department_code: str | None = Field(default=None, pattern=r"^[0-9A-Za-z_\-]{1,32}$")
    staff_id: int | None = None
    active: bool | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str | None
    role: Role
    region_code: str | None
    department_code: str | None
    staff_id: int | None
    active: bool
    must_change_password: bool
    locked_until: datetime | None
    last_login_at: datetime | None


class MeRead(UserRead):
    channel: str
    session_id: str | None
    grid_codes: list[str]


class PasswordIssued(BaseModel):
    user: UserRead
    initial_password: str
