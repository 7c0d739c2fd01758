"""The API of one versioned record type of the base (house, organisation, household, person), in
the style of NetBox's generic views: a domain declares its schemas, the repository whose search
lists its rows (from the readable statement), its service functions and who may read and write;
``RecordApi.add_to(router)`` writes the list, create, get, update and history routes. Routes of
one record type only (a person's full view, the import) stay in the domain's ``routes.py``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.orm import Session

from gridgov.auth.deps import require_roles
from gridgov.authz.principal import Principal, Role
from gridgov.kit.db import DbSession
from gridgov.kit.pagination import Page, PageParams, page_params, paginate
from gridgov.people.schemas import VersionRead

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Invalid data (e.g. unknown grid)"},
    401: {"description": "Not signed in"},
    403: {"description": "Role or area not allowed"},
    404: {"description": "Not found or outside the caller's area"},
    409: {"description": "Duplicate, or edited on a stale version"},
}


def parameter(name: str, annotation: Any) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)


def endpoint(
    name: str, doc: str | None, parameters: list[inspect.Parameter], run: Callable[..., Any]
) -> Callable[..., Any]:
    """A route function named ``name`` taking ``parameters`` (what FastAPI reads)."""

    def route(**values: Any) -> Any:
        return run(**values)

    route.__name__ = route.__qualname__ = name
    route.__doc__ = doc
    route.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return route


@dataclass(frozen=True)
class RecordApi:
    """How one kind of record is served; the path parameter and the services' keyword for the
    record's id is ``<singular>_id`` (``house_id``)."""

    singular: str  # "house": the routes are list_houses, get_house, … (their OpenAPI ids)
    plural: str  # "houses": the path, /houses and /houses/{house_id}
    read: type[BaseModel]  # a row of the list; the answer of create and update
    create_body: type[BaseModel]
    update_body: type[BaseModel]  # a ChangeRequest: .changes(), .reason, .base_version
    filters: Callable[..., dict[str, Any]]  # a dependency: the list's query → search's keywords
    repository: Callable[[Session], Any]  # XRepository: its .search(principal, **filters)
    create: Callable[..., Any]  # (session, principal=, body=) → the new row
    get: Callable[..., Any]  # service.get_x(session, principal=, x_id=)
    update: Callable[..., Any]  # service.update_x(session, principal=, x_id=, changes=, …)
    history: Callable[..., Any]  # service.x_history(session, principal=, x_id=)
    readers: Collection[Role]
    writers: Collection[Role]
    detail: type[BaseModel] | None = None  # the answer of get, when it shows more than a row
    show: Callable[[Session, Principal, Any], BaseModel] | None = None  # (session, principal, row)
    docs: Mapping[str, str] = field(default_factory=dict)  # "list", "get", … → its description

    @property
    def key(self) -> str:
        return f"{self.singular}_id"

    def add_to(self, router: APIRouter) -> None:
        reader = parameter("principal", Annotated[Principal, Depends(require_roles(*self.readers))])
        writer = parameter("principal", Annotated[Principal, Depends(require_roles(*self.writers))])
        session = parameter("session", DbSession)
        record_id = parameter(self.key, int)
        one = f"/{self.plural}/{{{self.key}}}"
        router.add_api_route(
            f"/{self.plural}",
            endpoint(
                f"list_{self.plural}",
                self.docs.get("list"),
                [
                    session,
                    reader,
                    parameter("page", Annotated[PageParams, Depends(page_params)]),
                    parameter("filters", Annotated[dict[str, Any], Depends(self.filters)]),
                ],
                self._list,
            ),
            methods=["GET"],
            response_model=Page[self.read],  # type: ignore[name-defined]
            responses=ERRORS,
        )
        router.add_api_route(
            f"/{self.plural}",
            endpoint(
                f"create_{self.singular}",
                self.docs.get("create"),
                [parameter("body", self.create_body), session, writer],
                lambda session, principal, body: self.create(
                    session, principal=principal, body=body
                ),
            ),
            methods=["POST"],
            status_code=201,
            response_model=self.read,
            responses=ERRORS,
        )
        router.add_api_route(
            one,
            endpoint(
                f"get_{self.singular}",
                self.docs.get("get"),
                [record_id, session, reader],
                self._get,
            ),
            methods=["GET"],
            response_model=self.detail or self.read,
            responses=ERRORS,
        )
        router.add_api_route(
            one,
            endpoint(
                f"update_{self.singular}",
                self.docs.get("update"),
                [record_id, parameter("body", self.update_body), session, writer],
                self._update,
            ),
            methods=["PATCH"],
            response_model=self.read,
            responses=ERRORS,
        )
        router.add_api_route(
            f"{one}/history",
            endpoint(
                f"{self.singular}_history",
                self.docs.get("history"),
                [record_id, session, reader],
                lambda session, principal, **key: self.history(session, principal=principal, **key),
            ),
            methods=["GET"],
            response_model=list[VersionRead],
            responses=ERRORS,
        )

    def _list(
        self,
        session: Session,
        principal: Principal,
        page: PageParams,
        filters: dict[str, Any],
    ) -> Page[Any]:
        rows, total = paginate(session, self.repository(session).search(principal, **filters), page)
        return Page.of(rows, total, page, self.read)

    def _get(self, session: Session, principal: Principal, **key: int) -> Any:
        row = self.get(session, principal=principal, **key)
        return self.show(session, principal, row) if self.show else row

    def _update(self, session: Session, principal: Principal, body: Any, **key: int) -> Any:
        return self.update(
            session,
            principal=principal,
            changes=body.changes(),
            reason=body.reason,
            base_version=body.base_version,
            **key,
        )
