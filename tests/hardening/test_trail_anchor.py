"""Issue 16 item 5: the trail is anchored outside the database — the chain head signed with an
Ed25519 key that is not the application secret — and a replayed copy of a genuine row never
verifies; removed newest entries and a re-chained trail are caught against the anchors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.audit.anchor import check_anchors, make_key, public_key_of, write_anchor
from gridgov.audit.chain import _TABLE, seal_engine, verify_engine
from gridgov.authz.principal import system_principal
from gridgov.kit.db import make_engine
from tests.audit.helpers import disable_guards


def trail_with_entries(url: str, count: int) -> Any:
    engine = make_engine(url)
    with Session(engine) as session:
        for i in range(count):
            trail.record(
                session,
                action="test.write",
                object_type="thing",
                object_id=i,
                principal=system_principal("anchor-test"),
                after={"n": i},
            )
        session.commit()
    seal_engine(engine)
    return engine


def test_a_replayed_row_is_never_sealed(fresh_database_url: Any) -> None:
    engine = trail_with_entries(fresh_database_url("sqlite"), 3)
    with engine.begin() as conn:
        original = conn.execute(select(_TABLE).where(_TABLE.c.seq == 2)).mappings().one()
        copy = {k: v for k, v in original.items() if k not in ("id", "seq", "chain_hash")}
        conn.execute(insert(_TABLE).values(**copy))
    assert seal_engine(engine) == 0
    report = verify_engine(engine)
    engine.dispose()
    assert not report.ok and report.checked == 3
    assert "replayed" in str(report.problems[0])


def test_anchors_catch_cut_and_rechained_trails(fresh_database_url: Any, tmp_path: Path) -> None:
    engine = trail_with_entries(fresh_database_url("sqlite"), 5)
    key_file = tmp_path / "keys" / "anchor.pem"
    public = make_key(key_file)
    assert public_key_of(key_file) == public and (key_file.stat().st_mode & 0o777) == 0o600
    anchors = tmp_path / "anchors"
    with engine.begin() as conn:
        written = write_anchor(conn, key_file=key_file, directory=anchors)
    assert written["seq"] == 5
    [line] = [json.loads(x) for f in anchors.iterdir() for x in f.read_text().splitlines()]
    assert line["seq"] == 5 and line["key"] == public
    with engine.connect() as conn:
        assert check_anchors(conn, anchors, public_key=public).ok

    # Someone signs an anchor with another key: refused against the trusted key.
    other = tmp_path / "other.pem"
    make_key(other)
    with engine.begin() as conn:
        write_anchor(conn, key_file=other, directory=anchors)
        result = check_anchors(conn, anchors, public_key=public)
    assert [p for p in result.problems or [] if "signature invalid" in p]

    # The newest entries are cut off: the anchored position is gone.
    with engine.begin() as conn:
        disable_guards(conn)  # a database writer with DDL rights (the file is a fresh copy)
        conn.execute(delete(_TABLE).where(_TABLE.c.seq >= 4))
        result = check_anchors(conn, anchors, public_key=public)
    assert any("seq 5 is gone" in p for p in result.problems or [])

    # The trail is re-chained (by whoever holds the application secret): hashes differ.
    with engine.begin() as conn:
        conn.execute(update(_TABLE).where(_TABLE.c.seq == 3).values(chain_hash="f" * 64))
        still = conn.execute(select(func.count()).select_from(_TABLE)).scalar_one()
    assert still == 3
    with engine.begin() as conn:
        write_anchor(conn, key_file=key_file, directory=anchors)  # anchors seq 3 as it is now
        conn.execute(update(_TABLE).where(_TABLE.c.seq == 3).values(chain_hash="e" * 64))
        result = check_anchors(conn, anchors, public_key=public)
    engine.dispose()
    assert any("no longer has the anchored hash" in p for p in result.problems or [])


def test_the_anchor_key_is_not_the_application_secret(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    key_file = tmp_path / "anchor.pem"
    make_key(key_file)
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
