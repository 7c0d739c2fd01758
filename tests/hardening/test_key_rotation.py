"""Issue 16, operations: `gridgov keys rotate` — new signing secret, data key and anchor key in
use; the trail and every anchor signed before still verify; ID numbers and phones re-encrypted
and findable throughout; a forged anchor or an entry forged with the retired secret still fails."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from gridgov.audit import hashing, trail
from gridgov.audit.anchor import make_key, write_anchor
from gridgov.audit.chain import _TABLE, seal_engine, verify_engine
from gridgov.auth.csrf import _sign, csrf_valid, token_for_session_cookie
from gridgov.authz.principal import system_principal
from gridgov.cli import app
from gridgov.config import get_settings
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.kit.db import get_engine, reset_engine
from gridgov.lifecycle.events import payload_of, sealed_payload
from gridgov.models.lifecycle import LifeEvent
from gridgov.models.person import Person
from gridgov.ops.keys import _sealed_answers
from gridgov.people.sensitive import Protector, lookups

runner = CliRunner()
OLD_SECRET, NEW_SECRET = "old-secret-" + "s" * 40, "new-secret-" + "t" * 40
OLD_DATA, NEW_DATA = "old-data-key-" + "d" * 40, "new-data-key-" + "e" * 40
NUMBERS = [f"42050219900101{n:03d}X" for n in range(7)]


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), catch_exceptions=False)


def use(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name, value in env.items():
        monkeypatch.setenv(f"GRIDGOV_{name.upper()}", value)
    reset_engine()
    get_settings.cache_clear()


@pytest.fixture
def setup(
    backend: str, fresh_database_url: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    url = str(fresh_database_url(backend))
    key_file, anchors = tmp_path / "anchor.pem", tmp_path / "anchors"
    make_key(key_file)
    use(
        monkeypatch,
        database_url=url,
        mode="production",
        secret_key=OLD_SECRET,
        data_key=OLD_DATA,
        anchor_key_file=str(key_file),
        anchor_dir=str(anchors),
        allowed_hosts="testserver",
    )
    yield {"key_file": key_file, "anchors": anchors, "tmp": tmp_path}
    reset_engine()
    get_settings.cache_clear()


def _people_and_trail() -> None:
    protector = Protector()
    with Session(get_engine()) as session:
        for n, number in enumerate(NUMBERS):
            id_number = protector.id_number(number)
            phone = protector.phone(f"1381234{n:04d}")
            session.add(
                Person(
                    id_number_enc=id_number.enc,
                    id_number_hash=id_number.hash,
                    id_number_masked=id_number.masked,
                    phone_enc=phone.enc,
                    phone_hash=phone.hash,
                    phone_masked=phone.masked,
                    name=f"测试{n}",
                    name_pinyin=f"ceshi{n}",
                    name_initials="cs",
                    sex="M",
                    birth_date=date(1990, 1, 1),
                    grid_code="420502001001001",
                    changed_at=utcnow(),
                    change_source="import",
                )
            )
            trail.record(
                session,
                action="test.write",
                object_type="thing",
                object_id=n,
                principal=system_principal("rotation-test"),
            )
        session.commit()


def test_rotate_keeps_the_trail_and_old_anchors_verifying(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _people_and_trail()
    assert invoke("audit", "anchor").exit_code == 0  # signed by the first anchor key
    before = verify_engine(get_engine())
    assert before.ok and before.checked == len(NUMBERS)

    # The operator sets the new keys, lists the old ones as retired and restarts.
    use(
        monkeypatch,
        secret_key=NEW_SECRET,
        retired_secret_keys=OLD_SECRET,
        data_key=NEW_DATA,
        retired_data_keys=OLD_DATA,
    )
    # Before the re-encryption: old values still read, an exact search still finds them.
    with Session(get_engine()) as session:
        person = session.scalars(
            select(Person).where(Person.id_number_hash.in_(lookups(NUMBERS[0])))
        ).one()
        assert crypto.decrypt(person.id_number_enc) == NUMBERS[0]

    new_anchor_key = setup["tmp"] / "anchor-2.pem"
    rotated = invoke("keys", "rotate", "--anchor-key", str(new_anchor_key))
    assert rotated.exit_code == 0, rotated.output
    assert "persons: 7 rows re-encrypted" in rotated.output
    assert "every value is under the current data key" in rotated.output

    # Every ID number and phone is now under the new data key alone, hashes re-keyed.
    with Session(get_engine()) as session:
        people = session.scalars(select(Person).order_by(Person.id)).all()
        for n, person in enumerate(people):
            assert crypto.decrypt(person.id_number_enc, data_key=NEW_DATA) == NUMBERS[n]
            assert person.id_number_hash == crypto.lookup_hash(NUMBERS[n], data_key=NEW_DATA)
            assert person.phone_hash == crypto.lookup_hash(f"1381234{n:04d}", data_key=NEW_DATA)
            with pytest.raises(InvalidTag):
                crypto.decrypt(person.phone_enc or "", data_key=OLD_DATA)
        actions = session.scalars(select(_TABLE.c.action).order_by(_TABLE.c.id)).all()
    assert actions[-2:] == ["keys.rotated", "keys.reencrypted"]

    # The new anchor key is the one configured now; the anchor of the old key still verifies
    # through the hand-over both keys signed. Run again: nothing left, resumable.
    use(monkeypatch, anchor_key_file=str(new_anchor_key))
    again = invoke("keys", "rotate")
    assert again.exit_code == 0 and "persons: 0 rows re-encrypted" in again.output
    verified = invoke("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "trail intact" in verified.output and "3 anchors checked" in verified.output

    # A forged anchor (signed by a key nobody handed over to) fails the check.
    forger = setup["tmp"] / "forger.pem"
    make_key(forger)
    with get_engine().begin() as conn:
        write_anchor(conn, key_file=forger, directory=setup["anchors"])
    forged = invoke("audit", "verify")
    assert forged.exit_code == 1 and "signature invalid" in forged.output


def test_an_entry_forged_with_the_retired_secret_is_refused(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    _people_and_trail()
    use(monkeypatch, secret_key=NEW_SECRET, retired_secret_keys=OLD_SECRET)
    assert invoke("keys", "rotate").exit_code == 0
    # Whoever kept the old secret inserts an entry hashed with it, after the rotation.
    with get_engine().begin() as conn:
        genuine = conn.execute(select(_TABLE).where(_TABLE.c.seq == 1)).mappings().one()
        forged = {k: v for k, v in genuine.items() if k not in ("id", "seq", "chain_hash")}
        forged.update(object_id="999", username="intruder")
        forged["entry_hash"] = hashing.hash_content(
            hashing.content_of(forged), key=hashing._key_for(OLD_SECRET)
        )
        conn.execute(insert(_TABLE).values(**forged))
    assert seal_engine(get_engine()) == 0
    report = verify_engine(get_engine(), grace=timedelta(0))
    assert not report.ok
    assert [str(p) for p in report.problems if "forged hash" in str(p)]


def test_csrf_tokens_of_the_retired_secret_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, secret_key=NEW_SECRET, retired_secret_keys=OLD_SECRET)
    settings = get_settings()
    request: Any = SimpleNamespace(
        cookies={"gridgov_session": "abc"},
        app=SimpleNamespace(state=SimpleNamespace()),
        state=SimpleNamespace(),
    )
    basis = "s:" + hashlib.sha256(b"abc").hexdigest()
    assert csrf_valid(request, token_for_session_cookie("abc", settings))
    assert csrf_valid(request, _sign(basis, settings, OLD_SECRET))  # a page opened before
    assert not csrf_valid(request, _sign(basis, settings, "some-other-secret-" + "x" * 30))
    get_settings.cache_clear()


def test_field_answers_are_re_encrypted_with_their_masks(monkeypatch: pytest.MonkeyPatch) -> None:
    use(monkeypatch, data_key=NEW_DATA, retired_data_keys=OLD_DATA)
    old = crypto.encrypt("13812345678", data_key=OLD_DATA)
    data = {"phone": {"enc": old, "masked": "138****5678"}, "note": "路灯不亮"}
    rekeyed = _sealed_answers(data)
    assert rekeyed is not None and rekeyed["note"] == "路灯不亮"
    assert rekeyed["phone"]["masked"] == "138****5678"
    assert crypto.decrypt(rekeyed["phone"]["enc"], data_key=NEW_DATA) == "13812345678"
    assert _sealed_answers(rekeyed) is None  # done already: nothing to write
    get_settings.cache_clear()


def test_life_event_payloads_are_re_encrypted(
    setup: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A life event's sealed ID numbers and phones (``lifecycle/events.py``) move to the new
    data key with the rest; their masks stay."""
    data = {"mother_id": NUMBERS[0], "phone": "13812345678", "mother_name": "李娟"}
    with Session(get_engine()) as session:
        session.add(
            LifeEvent(
                event_type="birth",
                source="WJ",
                source_ref="HOSP-1",
                occurred_on=date(2026, 12, 1),
                payload=sealed_payload(data),
                grid_code="420502001001001",
                status="tasked",
                on_complete=[],
            )
        )
        session.commit()
    use(monkeypatch, data_key=NEW_DATA, retired_data_keys=OLD_DATA)
    rotated = invoke("keys", "rotate")
    assert rotated.exit_code == 0, rotated.output
    assert "life_events: 1 rows re-encrypted" in rotated.output
    assert "every value is under the current data key" in rotated.output
    with Session(get_engine()) as session:
        payload = session.scalars(select(LifeEvent.payload)).one()
    assert crypto.decrypt(payload["mother_id"]["enc"], data_key=NEW_DATA) == NUMBERS[0]
    assert crypto.decrypt(payload["phone"]["enc"], data_key=NEW_DATA) == "13812345678"
    with pytest.raises(InvalidTag):
        crypto.decrypt(payload["mother_id"]["enc"], data_key=OLD_DATA)
    assert payload["phone"]["masked"] == "138****5678" and payload["mother_name"] == "李娟"
    assert payload_of(payload) == data
