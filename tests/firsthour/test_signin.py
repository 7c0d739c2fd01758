"""Sign-in cost (issue 10: 1.1–2.0 s per sign-in): passwords use OWASP's Argon2id profile and
hashes of the old, heavier profile are redone at the next sign-in."""

from __future__ import annotations

from argon2 import PasswordHasher, extract_parameters
from argon2.low_level import Type
from sqlalchemy.orm import Session

from gridgov.auth import service
from gridgov.authz.principal import Role
from gridgov.config import Mode, Settings
from tests.factories import DEFAULT_PASSWORD, create_user


def test_an_old_heavy_hash_is_replaced_by_the_light_profile_at_sign_in(db: Session) -> None:
    settings = Settings(mode=Mode.DEMO)
    user = create_user(db, role=Role.LEADER)
    user.password_hash = PasswordHasher().hash(DEFAULT_PASSWORD)  # t=3, m=64 MiB, p=4
    db.flush()
    signed_in = service.authenticate(
        db, username=user.username, password=DEFAULT_PASSWORD, settings=settings, channel="api"
    )
    now = extract_parameters(signed_in.password_hash)
    assert (now.type, now.time_cost, now.memory_cost, now.parallelism) == (Type.ID, 2, 19456, 1)
    again = service.authenticate(
        db, username=user.username, password=DEFAULT_PASSWORD, settings=settings, channel="api"
    )
    assert again.password_hash == signed_in.password_hash  # no rehash once light
