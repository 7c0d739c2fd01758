"""Protection of sensitive columns (ID numbers, phones): encryption at rest, a keyed hash for
exact lookup, and the masks of GB/T 35273 for display.

Values are always written under the current ``GRIDGOV_DATA_KEY``; they are read under it or any
key in ``GRIDGOV_RETIRED_DATA_KEYS`` (AES-GCM tells which key sealed a value: a wrong key fails
authentication). ``gridgov keys rotate`` re-encrypts everything under the current key
(``ops/keys.py``); meanwhile exact searches look for the hash under every key of the ring."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gridgov.config import get_settings

_NONCE_BYTES = 12


@lru_cache(maxsize=8)
def _keys(data_key: str) -> tuple[AESGCM, bytes]:
    root = hashlib.sha256(data_key.encode()).digest()
    encryption_key = hmac.new(root, b"gridgov/encrypt/v1", hashlib.sha256).digest()
    lookup_key = hmac.new(root, b"gridgov/lookup/v1", hashlib.sha256).digest()
    return AESGCM(encryption_key), lookup_key


def _current() -> tuple[AESGCM, bytes]:
    return _keys(get_settings().data_key)


def encrypt(value: str, *, data_key: str | None = None) -> str:
    """AES-256-GCM with a random nonce; returns ``v1:<base64(nonce|ciphertext)>``."""
    aead, _ = _keys(data_key) if data_key else _current()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = aead.encrypt(nonce, value.encode(), None)
    return "v1:" + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, data_key: str | None = None) -> str:
    """The plain value; without ``data_key`` under whichever key of the ring sealed it."""
    raw = base64.b64decode(token.removeprefix("v1:"))
    ring = (data_key,) if data_key else tuple(reversed(get_settings().data_key_ring))
    for index, key in enumerate(ring):
        try:
            return _keys(key)[0].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()
        except InvalidTag:
            if index == len(ring) - 1:
                raise
    raise AssertionError("unreachable: the ring is never empty")


def under_current_key(token: str) -> bool:
    """Whether ``token`` was sealed with the current data key (not yet re-encrypted: False)."""
    raw = base64.b64decode(token.removeprefix("v1:"))
    try:
        _current()[0].decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except InvalidTag:
        return False
    return True


def lookup_hash(value: str, *, data_key: str | None = None) -> str:
    """Keyed hash (HMAC-SHA256) of a normalised value, for exact search without decrypting."""
    _, key = _keys(data_key) if data_key else _current()
    return hmac.digest(key, value.strip().upper().encode(), "sha256").hex()  # one-shot: fast


def lookup_hashes(value: str) -> list[str]:
    """The lookup hash of ``value`` under every key of the ring, current first: an exact search
    finds a row whether or not ``gridgov keys rotate`` has re-keyed it yet."""
    ring = reversed(get_settings().data_key_ring)
    return list(dict.fromkeys(lookup_hash(value, data_key=key) for key in ring))


def mask_id_number(value: str) -> str:
    """First 6 + last 4 visible: ``420502********1234``."""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    """``138****1234`` for mobiles; other numbers keep their first 3 and last 4."""
    if len(value) < 8:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


# Resident ID numbers (18 characters; the old 15-digit ones are all replaced, and 15 digits is
# a grid code) and phone numbers (mobiles, and
# landlines with their area code) written into free text or a URL. Digits run on both sides
# are left alone: a longer number (an order, a grid code) is not a phone. An ID number may be
# written in groups (``420502 19930517 209X``, ``4205 0219 9305 1720 9X``) and any of them in full-width
# characters (a Chinese keyboard's full-width mode): ``１３８１２３４５６７８``.
_ID_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{6}([- ])\d{8}\2\d{3}[\dXx]"
    r"|\d{4}([- ])\d{4}\3\d{4}\3\d{4}\3\d[\dXx])(?![0-9A-Za-z])"
)
_PHONE_IN_TEXT = re.compile(
    r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d(?:[- ]?\d{4}){2}|0\d{2,3}[- ]?\d{7,8})(?!\d)"
)
# Full-width digits, letters X, separators and plus, each to its ASCII twin (one character for
# one: positions stay, so a match in the translated text masks the same characters).
_HALF_WIDTH = str.maketrans("０１２３４５６７８９Ｘｘ－＋　", "0123456789Xx-+ ")


def mask_free_text(text: str) -> str:
    """Mask every ID number and phone number found in a text (descriptions, comments, URLs).

    For public and masked outputs; the stored text stays intact for roles that may see it."""
    if not text or not any(c.isdigit() for c in text):
        return text
    plain = text.translate(_HALF_WIDTH)
    masked = _ID_IN_TEXT.sub(_mask_id_match, plain)
    masked = _PHONE_IN_TEXT.sub(_mask_phone_match, masked)
    if masked == plain:
        return text
    return "".join(
        "*" if hidden == "*" and shown != "*" else original
        for original, shown, hidden in zip(text, plain, masked, strict=True)
    )


def _mask_id_match(match: re.Match[str]) -> str:
    """First 6 and last 4 of the 18 characters visible, separators kept where they were."""
    number = match.group(1)
    places = [i for i, c in enumerate(number) if c not in "- "]
    keep = set(places[:6] + places[-4:])
    return "".join(c if (c in "- " or i in keep) else "*" for i, c in enumerate(number))


def _mask_phone_match(match: re.Match[str]) -> str:
    number = match.group(1)  # without the +86 prefix: its first 3 digits and last 4 stay
    digits = [i for i, c in enumerate(number) if c.isdigit()]
    keep = set(digits[:3] + digits[-4:])
    masked = "".join(c if (not c.isdigit() or i in keep) else "*" for i, c in enumerate(number))
    return match.group(0)[: match.start(1) - match.start(0)] + masked
