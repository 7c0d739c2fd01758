"""What the phone caches to work without signal: the own grid, its facilities, households,
houses and residents (names and masked ID numbers only, to pick whom a form is about), the open
tasks, the modules and today's patrol time — one request, one response."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal
from gridgov.cases.categories import reference
from gridgov.cases.service import list_categories
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.patrols import service as patrols
from gridgov.fieldwork.repository import BundleRepository
from gridgov.kit.clock import utcnow
from gridgov.lifecycle.admission import references
from gridgov.lifecycle.proxy import catalogue
from gridgov.tasks import service as tasks
from gridgov.tasks.schemas import TaskRead
from gridgov.tasks.vocabulary import REFUSAL_REASONS
from gridgov.web.i18n import label


def build(session: Session, *, principal: Principal) -> dict[str, Any]:
    code = principal.region_code or ""
    repository = BundleRepository(session)
    grid = repository.grid(code)
    return {
        "generated_at": utcnow().isoformat(),
        "user": {
            "id": principal.user_id,
            "username": principal.username,
            "role": str(principal.role),
        },
        "grid": None
        if grid is None
        else {
            "code": grid.code,
            "name": grid.name,
            "center": [grid.center_lng, grid.center_lat],
            "bbox": [grid.min_lng, grid.min_lat, grid.max_lng, grid.max_lat],
            "geometry": json.loads(grid.geometry),
        },
        "facilities": repository.facilities(code),
        "houses": repository.houses(code),
        "households": repository.households(code),
        "persons": repository.persons(code),
        "tasks": _with_admission(
            session,
            [
                TaskRead.model_validate(t).model_dump(mode="json")
                for t in tasks.list_readable(session, principal=principal)
            ],
        ),
        "refusal_reasons": [
            {
                "code": code,
                "name": label("zh-CN", "task.refusal_reason", code),
                "name_en": label("en", "task.refusal_reason", code),
            }
            for code in REFUSAL_REASONS
        ],
        "modules": [registry.summary(m) for m in registry.latest_modules(session)],
        "categories": _categories(session),
        "services": _proxy_services(session),
        # Who may have diverted the worker (the diversion report names the department).
        "departments": [
            {"code": code, "name": name, "name_en": name_en}
            for code, (name, name_en) in reference(session).departments.items()
        ],
        "duty": patrols.my_day(
            session, principal=principal, day=patrols.local_day(utcnow())
        ).model_dump(mode="json"),
    }


def _with_admission(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each task with its admission reference (准入): the worker sees on what basis it came, and
    the admitted type's title (what the phone shows for a kind it has no word of its own for)."""
    found = references(session, {row["kind"] for row in rows})
    for row in rows:
        row["admission_ref"], row["kind_title"] = found.get(row["kind"], (None, None))
    return rows


def _proxy_services(session: Session) -> list[dict[str, Any]]:
    """The proxy services (代办) a worker can open for a resident, offline too."""
    return [
        {"code": s.code, "title": s.title, "title_en": s.title_en, "documents": list(s.documents)}
        for s in catalogue(session).values()
    ]


def _categories(session: Session) -> list[dict[str, Any]]:
    """The case categories a worker can report (minor classes)."""
    return [
        {"code": c.code, "name": c.name, "name_en": c.name_en}
        for c in list_categories(session)
        if c.selectable
    ]
