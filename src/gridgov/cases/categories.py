"""Categories and departments as cached, immutable lookups (reference data changes rarely)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ConfigDict, field_validator
from sqlalchemy.orm import Session

from gridgov.cases.repository import CategoryRepository
from gridgov.cases.schemas import CategoryFields
from gridgov.kit.errors import BadRequest

CACHE_SECONDS = 60.0
DEFAULT_MINUTES = {"register": 60, "dispatch": 60, "handle": 420, "verify": 240}
DEFAULT_WARN_SHARE = 0.7


class CategoryInfo(CategoryFields):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    attributes: tuple[dict[str, Any], ...]
    active: bool

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes(cls, value: Any) -> Any:
        return tuple(value or ())

    @property
    def selectable(self) -> bool:
        return self.active and self.parent_code is not None

    def minutes(self, step: str) -> int:
        return int(getattr(self, f"{step}_minutes"))


@dataclass(frozen=True)
class Reference:
    categories: dict[str, CategoryInfo]
    departments: dict[str, tuple[str, str]]  # code → (name, name_en)


_cache: dict[str, tuple[float, Reference]] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def reference(session: Session) -> Reference:
    key = str(session.get_bind().engine.url)
    now = time.monotonic()
    cached = _cache.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    repo = CategoryRepository(session)
    categories = {c.code: CategoryInfo.model_validate(c) for c in repo.categories()}
    departments = {d.code: (d.name, d.name_en) for d in repo.departments()}
    ref = Reference(categories=categories, departments=departments)
    with _lock:
        _cache[key] = (now, ref)
    return ref


def selectable_category(session: Session, code: str) -> CategoryInfo:
    info = reference(session).categories.get(code)
    if info is None or not info.selectable:
        raise BadRequest(
            f"案件类别 {code} 不存在或不可选（请选择小类）",
            f"Unknown or non-selectable case category {code} (choose a minor class)",
            field="category_code",
        )
    return info


def department_exists(session: Session, code: str) -> bool:
    return code in reference(session).departments
