"""The one edit page of a versioned record of the base (house, household, organisation …), in the style of
NetBox's generic object views: a domain names its fields, how to load the record through its
readable statement, and how to save a change; this module does the rest (form, the version the
edit was made on, the reason, errors in the page's language, the savepoint)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from gridgov.authz.principal import Principal
from gridgov.kit.db import savepoint
from gridgov.kit.errors import Forbidden, GridgovError, field_messages
from gridgov.web.i18n import request_language
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
    """How one kind of record is edited."""

    fields: tuple[Field, ...]
    path: str  # the record's page, with ``{id}``
    changes: type[BaseModel]  # the same update schema the API uses
    load: Callable[[Session, Principal, int], Any]  # through the readable statement
    save: Callable[..., Any]  # (session, principal, id, changes, reason, base_version)
    title: Callable[[Any], str]
    # The vocabulary that names a choice field's options (``record_option`` unless said).
    vocabularies: Mapping[str, str] = field(default_factory=dict)

    def edit_page(
        self, request: Request, session: Session, principal: Principal, record_id: int
    ) -> HTMLResponse:
        record = self.load(session, principal, record_id)
        values = {name: getattr(record, name) for name, _, _ in self.fields}
        values["base_version"] = record.version
        return self._page(request, principal, record, values, errors=[])

    def update_page(
        self,
        request: Request,
        session: Session,
        principal: Principal,
        record_id: int,
        form: FormData,
    ) -> Response:
        record = self.load(session, principal, record_id)
        values = {name: str(form.get(name) or "").strip() for name, _, _ in self.fields}
        base = str(form.get("base_version") or "")
        reason = str(form.get("reason") or "").strip()
        data = {k: (v or None) for k, v in values.items()}
        try:
            with savepoint(session):
                self.save(
                    session,
                    principal,
                    record_id,
                    self.changes.model_validate(data),
                    reason or None,
                    int(base) if base.isdigit() else None,
                )
        except Forbidden:
            raise
        except (ValidationError, GridgovError) as exc:
            status = 409 if getattr(exc, "status_code", 422) == 409 else 422
            values.update(base_version=base, reason=reason)
            errors = form_errors(exc, request_language(request))
            return self._page(request, principal, record, values, errors, status)
        return RedirectResponse(self.path.format(id=record_id), status_code=303)

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
            action=self.path.format(id=record.id) + "/edit",
            fields=self.fields,  # the template says each label in the page's language
            vocabularies=self.vocabularies,
            values=values,
            errors=errors,
        )
