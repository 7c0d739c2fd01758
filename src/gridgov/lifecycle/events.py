"""The life events gridgov understands: who reports each, and the fields it carries.

Department events arrive through the department sources (``gridgov.sources``) or the event API;
computed events (turning 60 …) are made by the jobs in :mod:`gridgov.lifecycle.jobs`. Every
event names its person by resident ID number, or (computed events) by ``person_id``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gridgov.kit import sealed
from gridgov.kit.crypto import mask_id_number, mask_phone
from gridgov.kit.errors import BadRequest


@dataclass(frozen=True)
class EventType:
    code: str
    title: str
    title_en: str
    # Departments that may report it ("computed": made by gridgov's own jobs).
    departments: tuple[str, ...]
    fields: tuple[str, ...]
    # The fields without which the event cannot be handled at all.
    required: tuple[str, ...] = ()


_PERSON = ("id_number", "name", "address")
EVENT_TYPES: dict[str, EventType] = {
    t.code: t
    for t in (
        EventType(
            "birth",
            "出生",
            "Birth",
            ("WJ",),
            (
                "baby_sex",
                "birth_time",
                "weight_g",
                "hospital",
                "mother_name",
                "mother_id",
                "father_name",
                "father_id",
                "address",
                "birth_cert_no",
                "baby_name",
            ),
            ("baby_sex", "birth_time", "mother_name", "address"),
        ),
        EventType(
            "id_issued",
            "身份证首次申领办结",
            "ID card issued",
            ("GA",),
            ("id_number", "name", "birth_cert_no", "mother_id", "household_no", "birth_date"),
            ("id_number",),
        ),
        EventType(
            "death",
            "死亡",
            "Death",
            ("WJ", "GA", "MZ"),
            (*_PERSON, "died_on", "place"),
            ("id_number",),
        ),
        EventType(
            "move_in", "迁入", "Move-in", ("GA",), (*_PERSON, "from_address"), ("id_number",)
        ),
        EventType(
            "move_out", "迁出", "Move-out", ("GA",), (*_PERSON, "to_address"), ("id_number",)
        ),
        EventType(
            "permit_issued",
            "居住证签发",
            "Residence permit issued",
            ("GA",),
            (*_PERSON, "expires_on"),
            ("id_number", "expires_on"),
        ),
        EventType(
            "permit_renewed",
            "居住证续签",
            "Residence permit renewed",
            ("GA",),
            (*_PERSON, "expires_on"),
            ("id_number", "expires_on"),
        ),
        EventType(
            "permit_expiring",
            "居住证即将到期",
            "Residence permit expiring",
            ("GA", "computed"),
            (*_PERSON, "expires_on"),
            ("expires_on",),
        ),
        EventType(
            "kindergarten_entry",
            "入园",
            "Kindergarten entry",
            ("JY",),
            (*_PERSON, "school"),
            ("id_number",),
        ),
        EventType(
            "school_entry",
            "入学",
            "School entry",
            ("JY",),
            (*_PERSON, "school", "grade"),
            ("id_number",),
        ),
        EventType(
            "enlistment",
            "应征入伍",
            "Enlistment",
            ("RWB",),
            (*_PERSON, "unit"),
            ("id_number",),
        ),
        EventType(
            "employment",
            "就业登记",
            "Employment registered",
            ("RS",),
            (*_PERSON, "employer"),
            ("id_number",),
        ),
        EventType(
            "marriage",
            "结婚登记",
            "Marriage",
            ("MZ",),
            (*_PERSON, "spouse_name", "spouse_id", "married_on"),
            ("id_number",),
        ),
        EventType("turning_60", "年满60周岁", "Turned 60", ("computed",), ("age",)),
        EventType("turning_80", "年满80周岁", "Turned 80", ("computed",), ("age",)),
        EventType(
            "child_16_without_id",
            "年满16周岁未领身份证",
            "Turned 16 without an ID card",
            ("computed",),
            ("age",),
        ),
    )
}


# The payload fields that carry a resident ID number or a phone, kept sealed in
# ``life_events.payload`` (``kit/sealed.py``; docs/access.md): the event types' own names, and
# the department sources' names (``sources/mapping.py`` ID_FIELDS, PHONE_FIELDS) for a
# department that pushes a record's fields as they are. A birth certificate number is the
# newborn's ID number in the base until the police issue one (``IdType.BIRTH_CERT``).
ID_NUMBER_FIELDS = frozenset(
    {"id_number", "mother_id", "father_id", "spouse_id", "guardian_id", "birth_cert_no",
     "mother_id_number", "father_id_number", "spouse_id_number", "guardian_id_number"}
)  # fmt: skip
PHONE_FIELDS = frozenset({"phone", "guardian_phone", "mother_phone", "father_phone"})
PAYLOAD_MASKS: sealed.Masks = {
    **{name: mask_id_number for name in ID_NUMBER_FIELDS},
    **{name: mask_phone for name in PHONE_FIELDS},
}


def sealed_payload(data: dict[str, Any]) -> dict[str, Any]:
    """What ``life_events.payload`` stores of an event's data: ID numbers and phones sealed."""
    return sealed.seal(data, PAYLOAD_MASKS)


def payload_of(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A stored payload in plain: the one accessor for the actions that need the values (a
    mother found by her ID number …); never for display (:func:`shown_payload`)."""
    return sealed.unseal(payload or {}, PAYLOAD_MASKS)


def shown_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A stored payload as pages, the API and task texts may show it: ID numbers and phones
    masked (a row stored before sealing is masked here too)."""
    shown = sealed.masked(payload or {})
    return {
        name: PAYLOAD_MASKS[name](value)
        if name in PAYLOAD_MASKS and isinstance(value, str) and value
        else value
        for name, value in shown.items()
    }


@dataclass(frozen=True)
class Event:
    """One notification as gridgov handles it, whatever channel brought it."""

    event_type: str
    source: str
    source_ref: str
    occurred_on: date
    data: dict[str, Any] = field(default_factory=dict)
    # Computed events know their person already.
    person_id: int | None = None


def check_event(event: Event) -> EventType:
    """The event's type, after checking the reporting department and the required fields."""
    kind = EVENT_TYPES.get(event.event_type)
    if kind is None:
        raise BadRequest(
            f"未知的事件类型「{event.event_type}」",
            f"Unknown event type {event.event_type!r}",
            field="event_type",
        )
    if event.source not in kind.departments:
        raise BadRequest(
            f"「{kind.title}」不由该部门报送",
            f"{event.source!r} does not report {event.event_type!r}",
            field="source",
        )
    missing = [name for name in kind.required if not event.data.get(name)]
    if missing and event.person_id is None:
        raise BadRequest(
            f"事件缺少字段：{'、'.join(missing)}",
            f"Missing fields: {', '.join(missing)}",
            field=missing[0],
        )
    return kind
