"""Encrypted-at-rest columns of a person: the ciphertext, the lookup hash and the display mask."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from gridgov.config import get_settings
from gridgov.kit import crypto
from gridgov.kit.crypto import decrypt, mask_id_number, mask_phone


class Protected(NamedTuple):
    enc: str
    hash: str
    masked: str


class ProtectedColumns(NamedTuple):
    """The protected form of many values, column by column."""

    enc: list[str]
    hash: list[str]
    masked: list[str]


class Protector:
    """Same output as ``crypto.encrypt`` / ``crypto.lookup_hash``, with the keys resolved once
    and nonces drawn in blocks: the bulk paths (import, synthetic city) protect ~1.5 M values.
    Every value still gets its own random nonce."""

    _BLOCK = 4096

    def __init__(self) -> None:
        aead, lookup_key = crypto._keys(get_settings().data_key)
        self._aead = aead
        # HMAC-SHA256 (RFC 2104) with the padded key's inner and outer states hashed once:
        # copying a sha256 state is cheaper than the hmac module's per-value object.
        block = lookup_key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        self._nonces = b""
        self._pos = 0

    def _nonce(self) -> bytes:
        if self._pos >= len(self._nonces):
            self._nonces = os.urandom(12 * self._BLOCK)
            self._pos = 0
        nonce = self._nonces[self._pos : self._pos + 12]
        self._pos += 12
        return nonce

    def encrypt(self, value: str) -> str:
        nonce = self._nonce()
        return (
            "v1:"
            + base64.b64encode(nonce + self._aead.encrypt(nonce, value.encode(), None)).decode()
        )

    def hash(self, value: str) -> str:
        inner = self._inner.copy()
        inner.update(value.strip().upper().encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def id_number(self, number: str, *, id_hash: str | None = None) -> Protected:
        """``id_hash``: the lookup hash when the caller computed it already."""
        number = number.strip().upper()
        return Protected(self.encrypt(number), id_hash or self.hash(number), mask_id_number(number))

    def phone(self, phone: str) -> Protected:
        return Protected(self.encrypt(phone), self.hash(phone), mask_phone(phone))

    def id_numbers(self, numbers: Sequence[str]) -> ProtectedColumns:
        """``id_number`` for many numbers at once."""
        return self._many([n.strip().upper() for n in numbers], mask_id_number)

    def phones(self, phones: Sequence[str]) -> ProtectedColumns:
        """``phone`` for many phones at once."""
        return self._many(phones, mask_phone)

    def _many(self, values: Sequence[str], mask: Callable[[str], str]) -> ProtectedColumns:
        # ``encrypt`` inlined, with one random nonce per value from one urandom call.
        encrypt = self._aead.encrypt
        nonces = os.urandom(12 * len(values))
        enc: list[str] = []
        for i, value in enumerate(values):
            nonce = nonces[12 * i : 12 * i + 12]
            sealed = nonce + encrypt(nonce, value.encode(), None)
            enc.append("v1:" + binascii.b2a_base64(sealed, newline=False).decode())
        hashes = [self.hash(value) for value in values]
        return ProtectedColumns(enc, hashes, [mask(value) for value in values])


def protect_id_number(number: str) -> Protected:
    return Protector().id_number(number)


def protect_phone(phone: str) -> Protected:
    return Protector().phone(phone)


def lookup(value: str) -> str:
    return crypto.lookup_hash(value)


def lookups(value: str) -> list[str]:
    """For searching: the hash under every data key still in use (see ``kit/crypto.py``)."""
    return crypto.lookup_hashes(value)


def reveal(token: str | None) -> str | None:
    return decrypt(token) if token else None
