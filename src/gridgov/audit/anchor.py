"""External anchors of the trail: the chain head, signed with a key that is not the application
secret, written where a database writer cannot rewrite it.

The chain alone cannot tell that its newest entries were cut off, and whoever holds the
application secret could re-chain everything. So, on a schedule (the ``audit.anchor`` job, or
``gridgov audit anchor``), the head ``(seq, chain_hash)`` is signed with an Ed25519 key
(``GRIDGOV_ANCHOR_KEY_FILE``, made once by ``gridgov audit anchor-key``; keep the private key
off the database server) and appended as one JSON line to a file in ``GRIDGOV_ANCHOR_DIR`` (an
append-only mount, a WORM bucket synced from it, or a log shipper's directory the operator
chooses) and to the log. ``gridgov audit verify`` then checks every anchor's signature and that
each anchored position still carries the anchored hash: removed newest entries, a re-chained
trail or a forged anchor are all reported.

Line format::

    {"seq": 1234, "chain_hash": "<64 hex>", "at": "2026-12-06T02:00:00Z",
     "key": "<public key, hex>", "signature": "<hex>"}

Rotating the anchor key (``gridgov keys rotate --anchor-key NEW``) appends a hand-over line
signed by both keys, ``{"handover": true, "from": <old public>, "to": <new public>, "at",
"signature_from", "signature_to"}``: a verifier that trusts either key trusts the other through
it, so anchors signed by the old key keep verifying and the old key alone cannot make one.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Connection, select

from gridgov.audit.chain import _TABLE, head

log = logging.getLogger("gridgov.audit.anchor")


class AnchorNotConfigured(RuntimeError):
    pass


def make_key(path: Path) -> str:
    """Write a new private key (PEM, mode 0600) and its public key beside it (``.pub``);
    returns the public key in hex."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    public = _public_hex(key.public_key())
    path.with_suffix(path.suffix + ".pub").write_text(public + "\n")
    return public


def _public_hex(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def load_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorNotConfigured(f"{path} is not an Ed25519 private key")
    return key


def _message(seq: int, chain_hash: str, at: str) -> bytes:
    return f"gridgov-trail-anchor|{seq}|{chain_hash}|{at}".encode()


def write_anchor(
    conn: Connection,
    *,
    key_file: Path | None,
    directory: Path | None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Sign the sealed head and append it to this month's anchor file and to the log."""
    if key_file is None or directory is None:
        raise AnchorNotConfigured(
            "set GRIDGOV_ANCHOR_KEY_FILE and GRIDGOV_ANCHOR_DIR (see docs/operations.md)"
        )
    key = load_key(key_file)
    seq, chain_hash = head(conn)
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    anchor = {
        "seq": seq,
        "chain_hash": chain_hash,
        "at": at,
        "key": _public_hex(key.public_key()),
        "signature": key.sign(_message(seq, chain_hash, at)).hex(),
    }
    _append(directory, at, anchor)
    return anchor


def _handover_message(old: str, new: str, at: str) -> bytes:
    return f"gridgov-anchor-handover|{old}|{new}|{at}".encode()


def hand_over(
    old_key_file: Path, new_key_file: Path, directory: Path, *, now: datetime | None = None
) -> dict[str, Any]:
    """Make the new anchor key and append the hand-over line signed by the old and new keys."""
    old = load_key(old_key_file)
    make_key(new_key_file)
    new = load_key(new_key_file)
    old_public, new_public = _public_hex(old.public_key()), _public_hex(new.public_key())
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = _handover_message(old_public, new_public, at)
    line = {
        "handover": True,
        "from": old_public,
        "to": new_public,
        "at": at,
        "signature_from": old.sign(message).hex(),
        "signature_to": new.sign(message).hex(),
    }
    _append(directory, at, line)
    return line


def _append(directory: Path, at: str, line: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    text = json.dumps(line, sort_keys=True)
    with open(directory / f"anchors-{at[:7]}.jsonl", "a", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    log.info("audit trail anchor %s", text)


def _verified(public: str, signature: str, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public)).verify(
            bytes.fromhex(signature), message
        )
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _handover_signed(line: dict[str, Any]) -> bool:
    old, new = str(line.get("from")), str(line.get("to"))
    message = _handover_message(old, new, str(line.get("at")))
    return _verified(old, str(line.get("signature_from")), message) and _verified(
        new, str(line.get("signature_to")), message
    )


def trusted_keys(anchors: list[dict[str, Any]], trusted: str) -> set[str]:
    """``trusted`` and every key joined to it by hand-over lines signed by both keys."""
    keys = {trusted}
    handovers = [a for a in anchors if a.get("handover") and _handover_signed(a)]
    grown = True
    while grown:
        grown = False
        for handover in handovers:
            pair = {str(handover["from"]), str(handover["to"])}
            if pair & keys and not pair <= keys:
                keys |= pair
                grown = True
    return keys


@dataclass
class AnchorCheck:
    checked: int = 0
    newest_seq: int = 0
    problems: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def read_anchors(directory: Path) -> list[dict[str, Any]]:
    anchors = []
    for path in sorted(directory.glob("anchors-*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                try:
                    anchors.append({**json.loads(line), "_where": f"{path.name}:{number}"})
                except json.JSONDecodeError:
                    anchors.append({"_where": f"{path.name}:{number}", "_bad": True})
    return anchors


def check_anchors(conn: Connection, directory: Path, *, public_key: str | None) -> AnchorCheck:
    """Every anchor signed by the trusted key, and its position still holding its hash."""
    result = AnchorCheck(problems=[])
    assert result.problems is not None
    anchors = read_anchors(directory)
    trusted = trusted_keys(anchors, public_key) if public_key else None
    for anchor in anchors:
        where = anchor["_where"]
        if anchor.get("_bad"):
            result.problems.append(f"anchor {where}: not JSON")
            continue
        if anchor.get("handover"):
            continue  # a key change: counted in ``trusted`` when both keys signed it
        result.checked += 1
        seq, chain_hash, at = int(anchor["seq"]), str(anchor["chain_hash"]), str(anchor["at"])
        key = str(anchor.get("key"))
        signed = _verified(key, str(anchor.get("signature")), _message(seq, chain_hash, at))
        if not signed or (trusted is not None and key not in trusted):
            result.problems.append(f"anchor {where}: signature invalid (forged or other key)")
            continue
        result.newest_seq = max(result.newest_seq, seq)
        if seq == 0:
            continue
        found = conn.execute(select(_TABLE.c.chain_hash).where(_TABLE.c.seq == seq)).scalar()
        if found is None:
            result.problems.append(
                f"anchor {where}: entry seq {seq} is gone (newest entries removed)"
            )
        elif found != chain_hash:
            result.problems.append(
                f"anchor {where}: entry seq {seq} no longer has the anchored hash (re-chained)"
            )
    return result


def public_key_of(key_file: Path | None) -> str | None:
    """The trusted public key: the ``.pub`` beside the private key (all a verifier needs)."""
    if key_file is None:
        return None
    pub = key_file.with_suffix(key_file.suffix + ".pub")
    if pub.exists():
        return pub.read_text().strip()
    if key_file.exists():
        return _public_hex(load_key(key_file).public_key())
    return None
