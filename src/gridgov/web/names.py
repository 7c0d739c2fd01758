"""What a page shows for a code or an id: a grid's name beside its 15-digit code, a person's
name and masked ID number (as the people pages show them), an account's display name.

Each helper reads the names of a whole list at once (one query per page, not per row)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridgov.authz.policy import scope_clause
from gridgov.authz.principal import Principal
from gridgov.models.person import Person
from gridgov.models.region import Region
from gridgov.models.user import User


class PersonName(NamedTuple):
    name: str
    id_number_masked: str


def grid_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    """{code: name} of the regions among ``codes`` (a code without a region is left out)."""
    wanted = sorted({c for c in codes if c})
    if not wanted:
        return {}
    return dict(
        session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted))).all()
    )


def grid_name(session: Session, code: str | None) -> str | None:
    return grid_names(session, [code]).get(code or "")


def person_names(
    session: Session, principal: Principal, ids: Iterable[int | None]
) -> dict[int, PersonName]:
    """{id: (name, masked ID number)} of the persons among ``ids`` the caller may read (the
    people module's scope); a person outside it is left out (the page shows the bare link)."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    stmt = select(Person.id, Person.name, Person.id_number_masked).where(
        Person.id.in_(wanted),
        scope_clause(principal, grid_code=Person.grid_code, category="person"),
    )
    return {i: PersonName(name, masked) for i, name, masked in session.execute(stmt)}


def account_names(session: Session, usernames: Iterable[str | None]) -> dict[str, str]:
    """{username: display name} of the accounts among ``usernames`` that have a display name."""
    wanted = sorted({u for u in usernames if u})
    if not wanted:
        return {}
    stmt = select(User.username, User.display_name).where(
        User.username.in_(wanted), User.display_name.is_not(None), User.display_name != ""
    )
    return {username: name for username, name in session.execute(stmt) if name}
