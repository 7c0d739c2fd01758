"""Resident ID numbers and phones inside stored field records (docs/access.md, PIPL).

The population base keeps them encrypted (``people/sensitive.py``); a record from the phone
carries the same values as answers, so ``field_submissions.data`` and the records kept for review
(``field_sync_conflicts.record``) keep them encrypted too. A protected answer is stored as
``{"enc": "v1:…", "masked": "138****1234"}``: the ciphertext for the one place that needs the
value (applying the record to the population base), the mask for every place that shows it, so
listing never decrypts.

Protected are the answers of the questions whose ``gridgov_field`` is a protected attribute, and
any answer named like one: a re-used UUID's content (409) or a task result without a module was
never matched against a module's questions, and must not be the way a phone number gets in plain.
The sealed shape and its steps are ``kit/sealed.py`` (life events' payloads use it too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gridgov.fieldwork.forms.registry import ModuleRef
from gridgov.kit import sealed
from gridgov.kit.crypto import mask_id_number, mask_phone

# The person attributes encrypted at rest, with their display masks (GB/T 35273).
MASKS: dict[str, Callable[[str], str]] = {"id_number": mask_id_number, "phone": mask_phone}


def protected(module: ModuleRef | None) -> dict[str, Callable[[str], str]]:
    """Question name → mask of the answers this module's records keep encrypted."""
    questions = dict(MASKS)
    if module is not None:
        for name, attribute in module.compiled.bindings.items():
            if attribute in MASKS:
                questions[name] = MASKS[attribute]
    return questions


def seal(data: dict[str, Any], module: ModuleRef | None) -> dict[str, Any]:
    """``data`` with the protected answers encrypted (``data`` is as received: all plain).

    Whatever a phone sent under a protected name is sealed, a list or an object as its JSON
    text (``kit/sealed.py``, the one mechanism)."""
    return sealed.seal(data, protected(module))


def unseal(data: dict[str, Any], module: ModuleRef | None) -> dict[str, Any]:
    """The answers in plain, for applying a record to the population base (never for display).

    Only the module's protected questions are decrypted: an object a phone sent as some other
    answer is not a ciphertext of ours."""
    return sealed.unseal(data, protected(module))


def masked(data: dict[str, Any]) -> dict[str, Any]:
    """What a list or a review page shows: each protected answer as its mask."""
    return sealed.masked(data)


def seal_record(record: dict[str, Any], module: ModuleRef | None) -> dict[str, Any]:
    """A record kept for review (``SyncRecord`` as JSON) with its answers sealed."""
    data = record.get("data")
    return {**record, "data": seal(data, module)} if isinstance(data, dict) else record


def masked_record(record: dict[str, Any]) -> dict[str, Any]:
    data = record.get("data")
    return {**record, "data": masked(data)} if isinstance(data, dict) else record


def unsealed_record(record: dict[str, Any], module: ModuleRef | None) -> dict[str, Any]:
    data = record.get("data")
    return {**record, "data": unseal(data, module)} if isinstance(data, dict) else record
