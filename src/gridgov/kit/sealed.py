"""Resident ID numbers and phones inside stored JSON (docs/access.md, PIPL): sealed values.

A record kept as JSON — a field record's answers (``fieldwork/sync/personal.py``), a life event's
payload (``lifecycle/events.py``) — keeps each protected value as
``{"enc": "v1:…", "masked": "138****1234"}``: the ciphertext (``crypto.encrypt``, the data key)
for the one place that needs the value, the mask for every place that shows it, so listing never
decrypts. ``gridgov keys rotate`` re-encrypts every sealed value it finds (``ops/keys.py``).

Each caller says which names it protects and with which mask; the shape and the three steps
(seal at intake, unseal for the code that needs the value, mask for display) are here, once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from gridgov.kit.crypto import decrypt, encrypt

# Name → the display mask of its values (``crypto.mask_id_number``, ``crypto.mask_phone``).
Masks = Mapping[str, Callable[[str], str]]


def is_sealed(value: Any) -> bool:
    """Whether ``value`` is a sealed value (``{"enc", "masked"}``)."""
    return isinstance(value, dict) and set(value) == {"enc", "masked"}


def seal_value(value: Any, mask: Callable[[str], str]) -> dict[str, str]:
    """One value sealed; a list or an object is sealed as its JSON text."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return {"enc": encrypt(text), "masked": mask(text)}


def seal(data: Mapping[str, Any], masks: Masks) -> dict[str, Any]:
    """``data`` (as received: all plain) with the values of ``masks``' names sealed; empty
    values stay as they are."""
    out = dict(data)
    for name, mask in masks.items():
        value = out.get(name)
        if value is None or value == "":
            continue
        out[name] = seal_value(value, mask)
    return out


def unseal(data: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """The values in plain, for the code that needs them (never for display).

    Only ``names`` are decrypted: an object that arrived as some other value is not a ciphertext
    of ours. A value stored before sealing (plain) is returned as it is."""
    return {
        name: decrypt(value["enc"]) if name in names and is_sealed(value) else value
        for name, value in data.items()
    }


def masked(data: Mapping[str, Any]) -> dict[str, Any]:
    """What a list or a page shows: each sealed value as its mask."""
    return {name: value["masked"] if is_sealed(value) else value for name, value in data.items()}
