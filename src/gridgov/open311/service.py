"""Open311 GeoReport v2 on top of cases: services are minor case categories, a service request
is a case (service_request_id = the case's tracking number)."""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from gridgov.authz.principal import resident_principal
from gridgov.cases import categories as cat
from gridgov.cases import intake
from gridgov.cases import service as case_service
from gridgov.cases.repository import CaseRepository
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.states import FINAL_STATES, OPEN_STATES
from gridgov.kit.clock import utcnow
from gridgov.kit.crypto import mask_free_text
from gridgov.kit.errors import GridgovError
from gridgov.models.case import Case
from gridgov.open311.formats import Open311Error

MAX_RANGE = timedelta(days=90)
MAX_REQUESTS = 1000
# Categories never published on the open listing (disputes, welfare, social security …).
UNPUBLISHED = ("E07",)
# Channels whose descriptions were written for publication; others show the service name only
# (a hotline clerk's or a worker's notes may carry personal details).
PUBLIC_TEXT_CHANNELS = frozenset({"open311", "web"})
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def services(session: Session) -> list[dict[str, Any]]:
    ref = cat.reference(session)
    rows = []
    for info in ref.categories.values():
        if not info.selectable:
            continue
        group = ref.categories.get(info.parent_code or "")
        department = ref.departments.get(info.department_code or "")
        rows.append(
            {
                "service_code": info.code,
                "service_name": f"{info.name} / {info.name_en}",
                "description": (
                    f"{'部件' if info.kind == 'component' else '事件'} · "
                    f"{department[0] if department else ''} · "
                    f"处置时限 {info.handle_minutes} 工作分钟"
                ),
                "metadata": bool(info.attributes),
                "type": "realtime",
                "keywords": ",".join(filter(None, [info.kind, info.parent_code])),
                "group": f"{group.name} / {group.name_en}" if group else "",
            }
        )
    return rows


def definition(session: Session, code: str) -> dict[str, Any]:
    info = cat.reference(session).categories.get(code)
    if info is None or not info.selectable:
        raise Open311Error(404, f"service_code {code} not found")
    return {"service_code": info.code, "attributes": [dict(a) for a in info.attributes]}


def _attributes(info: cat.CategoryInfo, given: dict[str, list[str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for attribute in info.attributes:
        code = attribute["code"]
        raw = given.get(code, [])
        if not raw or not any(v.strip() for v in raw):
            if attribute.get("required"):
                raise Open311Error(400, f"attribute[{code}] is required")
            continue
        keys = {v["key"] for v in attribute.get("values", [])}
        if attribute["datatype"] == "singlevaluelist":
            if len(raw) != 1 or raw[0] not in keys:
                raise Open311Error(400, f"attribute[{code}] must be one of {sorted(keys)}")
            values[code] = raw[0]
        elif attribute["datatype"] == "multivaluelist":
            if any(v not in keys for v in raw):
                raise Open311Error(400, f"attribute[{code}] values must be among {sorted(keys)}")
            values[code] = ",".join(raw)
        elif attribute["datatype"] == "number":
            try:
                float(raw[0])
            except ValueError as exc:
                raise Open311Error(400, f"attribute[{code}] must be a number") from exc
            values[code] = raw[0]
        else:
            values[code] = raw[0]
    return values


def _float(form: dict[str, str], name: str) -> float | None:
    value = form.get(name, "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a number") from exc


def create_request(
    session: Session,
    *,
    client_id: int,
    form: dict[str, str],
    attributes: dict[str, list[str]],
) -> dict[str, Any]:
    code = form.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code is required")
    info = cat.reference(session).categories.get(code)
    if info is None or not info.selectable:
        raise Open311Error(400, f"service_code {code} is not a valid service")
    lat, lng = _float(form, "lat"), _float(form, "long")
    address = form.get("address_string", "").strip() or form.get("address_id", "").strip()
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat and long must be given together")
    if lat is None and not address:
        raise Open311Error(400, "a location is required: lat & long, address_string or address_id")
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Open311Error(400, "lat/long out of range")
    description = form.get("description", "")
    if len(description) > intake.MAX_DESCRIPTION:
        raise Open311Error(400, "description exceeds 4000 characters")
    values = _attributes(info, attributes)
    parts = [form.get("last_name", "").strip(), form.get("first_name", "").strip()]
    name = ("" if all(p and not p.isascii() for p in parts) else " ").join(filter(None, parts))
    media_url = form.get("media_url", "").strip() or None
    if media_url and not valid_media_url(media_url):
        raise Open311Error(400, "media_url must be an http(s) URL")
    try:
        result = intake.create_case(
            session,
            principal=resident_principal("open311"),
            data=CaseCreate(
                channel="open311",
                category_code=code,
                description=description or info.name,
                lng=lng,
                lat=lat,
                address=address[:200] or None,
                reporter_name=name[:64] or None,
                reporter_phone=form.get("phone", "").strip()[:32] or None,
                attributes=values or None,
            ),
            channel="open311",
            client_id=client_id,
            external_id=None,
        )
    except GridgovError as exc:
        raise Open311Error(400, exc.message_en) from exc
    case = result.case
    case.media_url = media_url[:500] if media_url else None
    return {
        "service_request_id": case.number,
        "token": case.number,
        "service_notice": f"受理编号 {case.number} / tracking number {case.number}",
        "account_id": form.get("account_id") or None,
    }


def _status_notes(case: Case) -> str:
    return mask_free_text(case.status_note) if case.status_note else ""


# What a third-party client may be handed as a link: http(s), a real host name, and only the
# characters RFC 3986 allows (no quotes, angle brackets or spaces that could break out of markup).
_URL_CHARACTERS = re.compile(r"^[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%]+$")
_HOST = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


def valid_media_url(value: str | None) -> bool:
    if not value or len(value) > 500 or not _URL_CHARACTERS.match(value):
        return False
    try:
        parts = urlsplit(value)
        port = parts.port  # raises for a port that is not a number
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or port == 0:
        return False
    return bool(_HOST.match(host)) or _is_ip_address(host)


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def request_row(session: Session, case: Case) -> dict[str, Any]:
    ref = cat.reference(session)
    info = ref.categories.get(case.category_code or "")
    department = ref.departments.get(case.department_code or "")
    expected = case.step_due_at if case.step == "handle" else None
    return {
        "service_request_id": case.number,
        "status": "closed" if case.state in FINAL_STATES else "open",
        "status_notes": _status_notes(case),
        "service_name": f"{info.name} / {info.name_en}" if info else "",
        "service_code": case.category_code or "",
        "description": mask_free_text(case.description or "")
        if case.channel in PUBLIC_TEXT_CHANNELS
        else (info.name if info else ""),
        "agency_responsible": department[0] if department and case.dispatched_at else "",
        "service_notice": "",
        "requested_datetime": iso(case.reported_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(expected),
        "address": mask_free_text(case.address or ""),
        "address_id": "",
        "zipcode": "",
        "lat": case.lat,
        "long": case.lng,
        "media_url": case.media_url if valid_media_url(case.media_url) else "",
    }


def _parse_date(value: str, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be an ISO 8601 date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def find_requests(session: Session, params: dict[str, str]) -> list[dict[str, Any]]:
    repo = CaseRepository(session)
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # the other parameters are ignored when ids are given (spec)
        rows = repo.open311_requests(ids=ids[:MAX_REQUESTS], unpublished_prefixes=UNPUBLISHED)
        return [request_row(session, c) for c in rows]
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    start = _parse_date(params["start_date"], "start_date") if params.get("start_date") else None
    end = _parse_date(params["end_date"], "end_date") if params.get("end_date") else None
    if start and end and end < start:
        raise Open311Error(400, "end_date is before start_date")
    if start and end and end - start > MAX_RANGE:
        raise Open311Error(400, "the date range may not exceed 90 days")
    if start is None and end is None:
        start = utcnow() - MAX_RANGE
    elif start is None and end is not None:
        start = end - MAX_RANGE
    elif end is None and start is not None:
        end = start + MAX_RANGE
    states: list[str] = []
    for status in [s.strip() for s in params.get("status", "").split(",") if s.strip()]:
        if status == "open":
            states += [str(s) for s in OPEN_STATES]
        elif status == "closed":
            states += [str(s) for s in FINAL_STATES]
        else:
            raise Open311Error(400, "status must be open or closed")
    rows = repo.open311_requests(
        service_codes=codes,
        start=start,
        end=end,
        states=states,
        limit=MAX_REQUESTS,
        unpublished_prefixes=UNPUBLISHED,
    )
    return [request_row(session, c) for c in rows]


def get_request(session: Session, request_id: str) -> dict[str, Any]:
    case = CaseRepository(session).by_number(request_id.strip().upper())
    if case is None or not case.category_code or case.category_code.startswith(UNPUBLISHED):
        raise Open311Error(404, f"service_request_id {request_id} not found")
    return request_row(session, case)


def token(session: Session, value: str) -> dict[str, Any]:
    case = CaseRepository(session).by_number(value.strip().upper())
    if case is None:
        raise Open311Error(404, f"token {value} not found")
    return {"service_request_id": case.number, "token": value}


def authenticate(session: Session, api_key: str | None) -> int:
    try:
        client = case_service.authenticate_client(session, key=api_key, kind="open311")
    except GridgovError as exc:
        raise Open311Error(403, "api_key is missing or invalid") from exc
    return client.id
