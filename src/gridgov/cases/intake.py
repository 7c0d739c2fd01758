"""Intake: one report from any channel becomes a case in state ``reported``.

The hot path (API intake) costs one grid lookup (in-memory index), one duplicate query, one Core
``INSERT … RETURNING`` of the case (``CaseRepository.insert``) and its trail entry, committed once
by the caller. The report's timeline line is the case row itself (:func:`report_event`); its first
step row is written when the register step ends.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from gridgov.audit import trail
from gridgov.authz.policy import covers
from gridgov.authz.principal import CITY_ROLES, Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases.deadlines import start_clock
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import CaseCreate, CaseUpdate
from gridgov.cases.states import REPORT_LABEL, State
from gridgov.config import Settings
from gridgov.grids.service import grid_index
from gridgov.kit import crypto
from gridgov.kit.clock import utcnow
from gridgov.kit.errors import BadRequest, Forbidden
from gridgov.media import service as media_service
from gridgov.media.repository import MediaRepository
from gridgov.models.case import Case, CaseEvent
from gridgov.workcal.service import current_calendar

MAX_DESCRIPTION = 4000
DUPLICATE_RADIUS_DEG = 0.0005  # about 55 m of latitude
# Channels (configurable by editing this list; the code of a channel is stored on the case).
CHANNELS: dict[str, tuple[str, str]] = {
    "worker_app": ("网格员上报", "Grid worker app"),
    "hotline": ("热线电话", "Hotline"),
    "web": ("网站表单", "Web form"),
    "open311": ("Open311 应用", "Open311 client"),
    "sms": ("短信", "SMS"),
    "email": ("电子邮件", "E-mail"),
    "walk_in": ("来访", "Walk-in"),
    "letter": ("来信", "Letter"),
    "transfer": ("部门转办", "Department transfer"),
    "video": ("视频巡查", "Video patrol"),
}
# Channels a signed-in clerk may enter on the intake page / API.
CLERK_CHANNELS = frozenset({"hotline", "walk_in", "letter", "transfer", "video", "web"})
# Roles that may report through the staff API, and territorial ones only inside their scope.
REPORTING_ROLES = frozenset(
    {
        Role.INTAKE_CLERK,
        Role.DISPATCHER,
        Role.SHIFT_LEADER,
        Role.GRID_WORKER,
        Role.COMMUNITY_STAFF,
        Role.STREET_STAFF,
        Role.DISTRICT_STAFF,
        Role.INSPECTOR,
    }
)
_HTML = re.compile(r"<\s*[a-zA-Z!/?]|&#?[a-zA-Z0-9]+;")
_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Intake:
    case: Case
    duplicates: list[Any]


def clean_text(
    value: str, *, field: str, limit: int = MAX_DESCRIPTION, required: bool = True
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise BadRequest("描述不能为空", "The description is empty", field=field)
    if len(text) > limit:
        raise BadRequest(
            f"描述不能超过 {limit} 个字符（当前 {len(text)}）",
            f"The text exceeds {limit} characters ({len(text)})",
            field=field,
        )
    if _HTML.search(text):
        raise BadRequest(
            "文本中不能包含 HTML 标记", "HTML markup is not allowed in the text", field=field
        )
    return text


def new_number(now: datetime) -> str:
    """Tracking number: 6-digit date + 6 random unambiguous characters (``261125K7Q4XZ``)."""
    # 32 letters: each random byte picks one without bias, and one system call serves all six.
    return now.strftime("%y%m%d") + "".join(
        _NUMBER_ALPHABET[b % 32] for b in secrets.token_bytes(6)
    )


def grid_code_at(session: Session, *, lng: float, lat: float) -> str:
    code = grid_index(session).locate(lng, lat)
    if code is None:
        raise BadRequest(
            f"坐标 ({lng}, {lat}) 不在本市任何网格内",
            f"The point ({lng}, {lat}) lies outside the city's grids",
            field="location",
        )
    return code


def _mask_name(name: str) -> str:
    name = name.strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def _check_reporter(principal: Principal, channel: str) -> None:
    if principal.role == Role.RESIDENT:  # the public channel's own key or form admitted them
        return
    if principal.role not in REPORTING_ROLES:
        raise Forbidden("您的角色不能上报案件", "Your role may not report cases")
    if principal.role == Role.GRID_WORKER and channel != "worker_app":
        raise BadRequest("网格员上报渠道为 worker_app", "Grid workers report via worker_app")
    if principal.role in CITY_ROLES and channel not in CLERK_CHANNELS:
        raise BadRequest(
            f"受理渠道 {channel} 不可手工录入",
            f"Channel {channel} cannot be entered by hand",
            field="channel",
        )


def create_case(
    session: Session,
    *,
    principal: Principal,
    data: CaseCreate,
    channel: str,
    client_id: int | None = None,
    external_id: str | None = None,
    idempotency: tuple[str, str] | None = None,
    require_category: bool = True,
    photos: Sequence[tuple[str, bytes]] = (),
    settings: Settings | None = None,
    now: datetime | None = None,
) -> Intake:
    """Create a case in state ``reported`` with its register clock running.

    ``principal`` is :func:`~gridgov.authz.principal.resident_principal` for channels without
    accounts (Open311 key, gateway key, the public web form). Nothing is written when any check
    fails.
    """
    now = now or utcnow()
    if channel not in CHANNELS:
        raise BadRequest(f"未知渠道 {channel}", f"Unknown channel {channel}", field="channel")
    _check_reporter(principal, channel)
    description = clean_text(data.description, field="description")
    address = clean_text(data.address or "", field="address", limit=200, required=False) or None
    category = None
    if data.category_code:
        category = cat.selectable_category(session, data.category_code)
    elif require_category:
        raise BadRequest("请选择案件类别", "A case category is required", field="category_code")
    grid_code = None
    if data.lng is not None and data.lat is not None:
        grid_code = grid_code_at(session, lng=data.lng, lat=data.lat)
        if (
            principal.role not in CITY_ROLES
            and principal.role != Role.RESIDENT
            and not covers(principal, grid_code, "read")
        ):
            raise Forbidden(
                "只能上报本人负责区域内的问题", "You may only report inside your own area"
            )
    elif (data.lng is None) != (data.lat is None):
        raise BadRequest("经纬度须同时提供", "Give both lng and lat", field="location")
    elif principal.role == Role.GRID_WORKER:
        raise BadRequest("网格员上报须带位置", "A grid worker's report needs a location")
    media_repo = MediaRepository(session)
    attach = []
    if data.photo_ids:
        attach = media_repo.attachable(media_ids=data.photo_ids, uploaded_by=principal.account_id)
        if len(attach) != len(set(data.photo_ids)):
            raise BadRequest(
                "照片不存在、不是您上传的或已被使用",
                "A photo does not exist, is not yours or is already attached",
                field="photo_ids",
            )
    stored = [
        media_service.store_photo(
            session,
            principal=principal,
            filename=name,
            content=content,
            channel=channel,
            settings=settings,
        )
        for name, content in photos
    ]
    repo = CaseRepository(session)
    duplicates: list[Any] = []
    if category is not None and data.lat is not None and data.lng is not None:
        duplicates = repo.duplicates(
            category_code=category.code,
            lng=data.lng,
            lat=data.lat,
            radius_deg=DUPLICATE_RADIUS_DEG,
            # A resident without an account sees none of them; the centre sees them all.
            principal=principal,
        )
    phone = (data.reporter_phone or "").strip()
    case = Case(
        number=new_number(now),
        channel=channel,
        category_code=category.code if category else None,
        department_code=category.department_code if category else None,
        state=State.REPORTED,
        priority=data.priority,
        description=description,
        address=address,
        lng=data.lng,
        lat=data.lat,
        grid_code=grid_code,
        reporter_name_masked=_mask_name(data.reporter_name or "") or None,
        reporter_phone_masked=crypto.mask_phone(phone) if phone else None,
        reporter_phone_enc=crypto.encrypt(phone) if phone else None,
        reporter_user_id=principal.account_id,
        client_id=client_id,
        external_id=external_id,
        idempotency_key=idempotency[0] if idempotency else None,
        idempotency_hash=idempotency[1] if idempotency else None,
        attributes=_clean_attributes(data.attributes),
        supervision_level=0,
        rework_count=0,
        extension_count=0,
        reported_at=now,
    )
    start_clock(
        case, step="register", category=category, calendar=current_calendar(session), now=now
    )
    repo.insert(case)
    if attach or stored:
        media_repo.attach(media_ids=[m.id for m in (*attach, *stored)], case_id=case.id)
    trail.record(
        session,
        action="case.report",
        object_type="case",
        object_id=case.id,
        principal=principal,
        after={
            "number": case.number,
            "channel": channel,
            "category": case.category_code,
            "grid": grid_code,
            "due": case.step_due_at.isoformat() if case.step_due_at else None,
        },
        note=f"channel={channel}" if principal.role == Role.RESIDENT else None,
    )
    return Intake(case=case, duplicates=duplicates)


def report_event(case: Case) -> CaseEvent:
    """The first line of every timeline: the report itself (the case row is its record)."""
    label, label_en = REPORT_LABEL
    channel = CHANNELS.get(case.channel, (case.channel, case.channel))
    return CaseEvent(
        id=0,
        case_id=case.id,
        at=case.reported_at,
        move="report",
        state_from=None,
        state_to=State.REPORTED,
        actor_user_id=case.reporter_user_id,
        actor_name=channel[0],
        note=f"{label} / {label_en} ({channel[1]})",
        public=True,
        data=None,
    )


def apply_amendment(session: Session, *, case: Case, amend: CaseUpdate) -> dict[str, Any]:
    """Apply corrections to a reported/registered case; returns the changed fields."""
    changed: dict[str, Any] = {}
    if amend.category_code is not None and amend.category_code != case.category_code:
        category = cat.selectable_category(session, amend.category_code)
        case.category_code = category.code
        case.department_code = category.department_code
        changed["category_code"] = category.code
    if amend.description is not None:
        case.description = clean_text(amend.description, field="description")
        changed["description"] = True
    if amend.address is not None:
        case.address = clean_text(amend.address, field="address", limit=200, required=False) or None
        changed["address"] = case.address
    if (amend.lng is None) != (amend.lat is None):
        raise BadRequest("经纬度须同时提供", "Give both lng and lat", field="location")
    if amend.lng is not None and amend.lat is not None:
        case.grid_code = grid_code_at(session, lng=amend.lng, lat=amend.lat)
        case.lng, case.lat = amend.lng, amend.lat
        changed["grid_code"] = case.grid_code
    if amend.priority is not None:
        case.priority = amend.priority
        changed["priority"] = amend.priority
    return changed


def _clean_attributes(attributes: dict[str, Any] | None) -> dict[str, Any] | None:
    if not attributes:
        return None
    cleaned: dict[str, Any] = {}
    for key, value in list(attributes.items())[:20]:
        text = clean_text(str(value), field=f"attribute[{key}]", limit=500, required=False)
        cleaned[str(key)[:64]] = text
    return cleaned


def idempotency(principal: Principal, key: str, data: CaseCreate) -> tuple[str, str]:
    """The stored form of a client's Idempotency-Key (per user) and the hash of its body."""
    digest = hashlib.sha256(data.model_dump_json().encode()).hexdigest()
    return f"{principal.user_id}:{key}", digest
