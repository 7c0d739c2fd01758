"""Issue 16 item 15: sign-in is throttled per address and per account, and a stranger who
guesses a known user's password cannot lock that user out."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from gridgov.authz.principal import Role
from gridgov.kit.throttle import counted_address
from tests.factories import DEFAULT_PASSWORD, create_user

TOKEN = "/api/v1/auth/token"


def attempt(client: TestClient, username: str, password: str) -> int:
    return client.post(TOKEN, json={"username": username, "password": password}).status_code


def test_a_stranger_cannot_lock_out_the_owner(app: FastAPI, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    with (
        TestClient(app, client=("203.0.113.9", 5000)) as stranger,
        TestClient(app, client=("10.1.2.3", 5000)) as owner,
    ):
        statuses = [attempt(stranger, user.username, "guess") for _ in range(7)]
        assert statuses[:5] == [401] * 5
        assert statuses[5:] == [429, 429]  # that address may not try that account any more
        # Even the right password, from the stranger's address.
        assert attempt(stranger, user.username, DEFAULT_PASSWORD) == 429
        # The owner, from their own address, signs in at once.
        assert attempt(owner, user.username, DEFAULT_PASSWORD) == 200
    db.refresh(user)
    assert user.locked_until is None


def test_one_address_is_limited_across_accounts(app: FastAPI, db: Session) -> None:
    app.state.settings.signin_per_ip_per_minute = 8  # read when the app was made: rebuild
    from gridgov.app import create_app

    limited = create_app(app.state.settings)
    limited.dependency_overrides.update(app.dependency_overrides)
    with TestClient(limited, client=("198.51.100.7", 5000)) as client:
        statuses = [attempt(client, f"nobody{i}", "x") for i in range(10)]
    assert statuses[:8] == [401] * 8 and statuses[8:] == [429, 429]
    body_code = "sign_in_throttled"
    with TestClient(limited, client=("198.51.100.7", 5000)) as client:
        again = client.post(TOKEN, json={"username": "nobody", "password": "x"})
    assert again.status_code == 429 and body_code in again.text


def test_guessing_from_many_addresses_only_slows_the_account(app: FastAPI, db: Session) -> None:
    user = create_user(db, role=Role.LEADER)
    for i in range(10):  # ten addresses, one wrong guess each
        with TestClient(app, client=(f"192.0.2.{i + 1}", 5000)) as client:
            assert attempt(client, user.username, "guess") == 401
    with TestClient(app, client=("10.1.2.3", 5000)) as owner:
        # Paced (one attempt per 10 s for the account), not locked: the first goes through.
        assert attempt(owner, user.username, DEFAULT_PASSWORD) == 200
    with TestClient(app, client=("10.9.9.9", 5000)) as newcomer:
        assert attempt(newcomer, user.username, DEFAULT_PASSWORD) == 429  # within the 10 s


def test_guessers_keeping_the_pace_busy_do_not_keep_the_owner_out(
    app: FastAPI, db: Session
) -> None:
    """Guessing from many addresses faster than the pace takes its one slot every time; the
    owner's usual address (a successful sign-in before) is not paced."""
    user = create_user(db, role=Role.LEADER)
    with TestClient(app, client=("10.1.2.3", 5000)) as owner:
        assert attempt(owner, user.username, DEFAULT_PASSWORD) == 200
    guesses = []
    for i in range(30):
        with TestClient(app, client=(f"192.0.2.{i + 1}", 5000)) as stranger:
            guesses.append(attempt(stranger, user.username, "guess"))
    assert guesses[:10] == [401] * 10 and 429 in guesses[10:]  # the account is paced
    with TestClient(app, client=("10.1.2.3", 5000)) as owner:
        for _ in range(3):
            assert attempt(owner, user.username, DEFAULT_PASSWORD) == 200


def test_an_ipv6_network_counts_as_one_address() -> None:
    assert counted_address("2001:db8:1:2:aaaa::1") == counted_address("2001:db8:1:2:ffff::9")
    assert counted_address("2001:db8:1:2::1") != counted_address("2001:db8:1:3::1")
    assert counted_address("::ffff:192.0.2.7") == "192.0.2.7" == counted_address("192.0.2.7")
    assert counted_address("") == "unknown"
