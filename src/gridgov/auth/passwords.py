"""Password hashing (Argon2id) and the password rules (GB/T 22239 level 3: complexity)."""

from __future__ import annotations

import secrets
import string
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gridgov.config import Mode, Settings
from gridgov.kit.errors import BadRequest

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_CLASSES = 3


@lru_cache(maxsize=2)
def _hasher(cheap: bool) -> PasswordHasher:
    if cheap:
        # Tests only: verifying must not dominate the test run. Never used outside Mode.TEST.
        return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    # OWASP's Argon2id minimum (m=19 MiB, t=2, p=1): ~70 ms per sign-in on a quiet 2-core
    # machine, where argon2-cffi's default (t=3, m=64 MiB, p=4) took 250 ms quiet and 0.5–1 s
    # under load, making sign-in 1.1–2 s. Hashes of the old profile are redone at the next
    # sign-in (needs_rehash).
    return PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hasher_for(settings: Settings) -> PasswordHasher:
    return _hasher(settings.mode == Mode.TEST)


def hash_password(password: str, *, settings: Settings) -> str:
    return hasher_for(settings).hash(password)


def cheap_hash(password: str) -> str:
    """For test factories: an Argon2id hash with minimal cost (verifies fast anywhere)."""
    return _hasher(True).hash(password)


def verify_password(password_hash: str, password: str, *, settings: Settings) -> bool:
    try:
        return hasher_for(settings).verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, *, settings: Settings) -> bool:
    try:
        return hasher_for(settings).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


@lru_cache(maxsize=2)
def _dummy_hash(cheap: bool) -> str:
    return _hasher(cheap).hash("gridgov-dummy-password-for-timing")


def burn_verify(password: str, *, settings: Settings) -> None:
    """Spend the time of one verification, so unknown usernames are not told apart by timing."""
    verify_password(_dummy_hash(settings.mode == Mode.TEST), password, settings=settings)


def password_problems(password: str, *, username: str | None = None) -> list[str]:
    """What is wrong with a new password (English keys; empty when it is acceptable)."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or c in string.punctuation for c in password),
        )
    )
    if classes < MIN_CLASSES:
        problems.append(
            f"at least {MIN_CLASSES} of: lower-case, upper-case, digits, other characters"
        )
    if username and len(username) >= 3 and username.lower() in password.lower():
        problems.append("must not contain the username")
    if password.strip() != password:
        problems.append("no spaces at the beginning or end")
    return problems


def check_password_rules(password: str, *, username: str | None = None) -> None:
    problems = password_problems(password, username=username)
    if problems:
        raise BadRequest(
            f"密码不符合要求：至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、其他字符中的至少"
            f" {MIN_CLASSES} 类，且不能包含用户名",
            "Password does not meet the rules: " + "; ".join(problems),
            problems=problems,
        )


def generate_password(length: int = 16) -> str:
    """A random password that satisfies the rules (for initial and demo passwords)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        body = [secrets.choice(alphabet) for _ in range(length - 2)]
        body.insert(secrets.randbelow(len(body)), secrets.choice("!#%+-=?@"))
        body.insert(secrets.randbelow(len(body)), secrets.choice("23456789"))
        candidate = "".join(body)
        if not password_problems(candidate):
            return candidate
