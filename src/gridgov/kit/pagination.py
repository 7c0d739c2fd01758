"""Limit/offset pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, func, literal, select
from sqlalchemy.orm import Session

T = TypeVar("T")


class PageParams(BaseModel):
    limit: int = 50
    offset: int = 0


async def page_params(
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int

    @classmethod
    def of(
        cls, rows: list[Any], total: int, params: PageParams, read: type[BaseModel]
    ) -> Page[Any]:
        """The page of ``rows`` (ORM objects) read through the response schema ``read``."""
        return cls(
            items=[read.model_validate(row) for row in rows],
            total=total,
            limit=params.limit,
            offset=params.offset,
        )


def paginate(
    session: Session, stmt: Select, params: PageParams, *, count_cap: int | None = None
) -> tuple[list, int]:
    """The page's rows and the total; with ``count_cap`` the count stops after ``count_cap + 1``
    rows (a total above the cap means "more than ``count_cap``"), so a broad city-wide search
    never counts the whole city."""
    counted = stmt.order_by(None)
    if count_cap is not None:
        counted = counted.with_only_columns(literal(1), maintain_column_froms=True)
        counted = counted.limit(count_cap + 1)
    total = session.scalar(select(func.count()).select_from(counted.subquery())) or 0
    rows = list(session.scalars(stmt.limit(params.limit).offset(params.offset)))
    return rows, total
