"""The one edit page of a versioned record of the base (house, household, organisation …), in the
style of NetBox's generic object views: a domain names its fields, the service functions that
load the record through its readable statement and save a change, and who may edit; this module
writes the routes and does the rest (form, the version the edit was made on, the reason, errors
in the page's language, the savepoint)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gridgov.auth.csrf import csrf_protect
from gridgov.auth.deps import page_roles
from gridgov.authz.principal import Principal, Role
from gridgov.kit.db import DbSession, savepoint
from gridgov.kit.errors import Forbidden, GridgovError, field_messages
from gridgov.web.forms import PostedForm
from gridgov.web.i18n import request_language
from gridgov.web.record_api import endpoint, parameter
from gridgov.web.render import render

# (name, label, "text" | "number" | (choices…))
Field = tuple[str, str, Any]


def form_errors(
    error: ValidationError | GridgovError,
    language: str,
    label: Callable[[str], str] = lambda field: "",
) -> list[str]:
    """Messages for a form, in the page's language (``label`` names a field)."""
    if isinstance(error, GridgovError):
        return [error.message_for(language)]
    out = []
    for problem in field_messages(error):
        message = problem.message_en if language == "en" else problem.message
        name = label(problem.field) if problem.field else ""
        out.append(f"{name}：{message}" if name else message)
    return out


@dataclass(frozen=True)
class RecordForm:
    """How one kind of record is edited: ``add_to(router)`` writes its two routes,
    ``/people/<plural>/{<singular>_id}/edit`` (the form, and the change posted to it)."""

    singular: str  # "house": the services' keyword is house_id, the routes house_edit/_update
    plural: str  # "houses": the record's page is /people/houses/{id}
    fields: tuple[Field, ...]
    changes: type[BaseModel]  # the same update schema the API uses
    get: Callable[..., Any]  # service.get_x(session, principal=, x_id=): the readable statement
    update: Callable[..., Any]  # service.update_x(session, principal=, x_id=, changes=, …)
    title: Callable[[Any], str]
    writers: Collection[Role]
    # The vocabulary that names a choice field's options (``record_option`` unless said).
    vocabularies: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.singular}_id"

    def add_to(self, router: APIRouter) -> None:
        session = parameter("session", DbSession)
        writer = parameter("principal", Annotated[Principal, Depends(page_roles(*self.writers))])
        common = [parameter("request", Request), session, writer, parameter(self.key, int)]
        path = f"/people/{self.plural}/{{{self.key}}}/edit"
        router.add_api_route(
            path,
            endpoint(f"{self.singular}_edit", None, common, self._edit),
            methods=["GET"],
            response_class=HTMLResponse,
        )
        router.add_api_route(
            path,
            endpoint(
                f"{self.singular}_update",
                None,
                [*common, parameter("form", PostedForm)],
                self._update,
            ),
            methods=["POST"],
            response_class=HTMLResponse,
            dependencies=[Depends(csrf_protect)],
        )

    def _load(self, session: Session, principal: Principal, record_id: int) -> Any:
        return self.get(session, principal=principal, **{self.key: record_id})

    def _edit(
        self, request: Request, session: Session, principal: Principal, **key: int
    ) -> HTMLResponse:
        record = self._load(session, principal, key[self.key])
        values = {name: getattr(record, name) for name, _, _ in self.fields}
        values["base_version"] = record.version
        return self._page(request, principal, record, values, errors=[])

    def _update(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        form: FormData,
        **key: int,
    ) -> Response:
        record_id = key[self.key]
        record = self._load(session, principal, record_id)
        values = {name: str(form.get(name) or "").strip() for name, _, _ in self.fields}
        base = str(form.get("base_version") or "")
        reason = str(form.get("reason") or "").strip()
        data = {k: (v or None) for k, v in values.items()}
        try:
            with savepoint(session):
                self.update(
                    session,
                    principal=principal,
                    changes=self.changes.model_validate(data),
                    reason=reason or None,
                    base_version=int(base) if base.isdigit() else None,
                    **key,
                )
        except Forbidden:
            raise
        except (ValidationError, GridgovError) as exc:
            status = 409 if getattr(exc, "status_code", 422) == 409 else 422
            values.update(base_version=base, reason=reason)
            errors = form_errors(exc, request_language(request))
            return self._page(request, principal, record, values, errors, status)
        return RedirectResponse(f"/people/{self.plural}/{record_id}", status_code=303)

    def _page(
        self,
        request: Request,
        principal: Principal,
        record: Any,
        values: dict[str, Any],
        errors: list[str],
        status_code: int = 200,
    ) -> HTMLResponse:
        title = self.title(record)
        return render(
            request,
            "people/record_form.html",
            status_code=status_code,
            principal=principal,
            page_title=title,
            title=title,
            action=f"/people/{self.plural}/{record.id}/edit",
            fields=self.fields,  # the template says each label in the page's language
            vocabularies=self.vocabularies,
            values=values,
            errors=errors,
        )
