"""Collection modules: the phone downloads them, administrators add new ones."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlalchemy.orm import Session

from gridgov.auth.deps import CurrentPrincipal, require_roles
from gridgov.auth.uploads import Upload, authenticated_upload
from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.forms.xlsform import ModuleInvalid
from gridgov.kit.db import request_session

router = APIRouter(prefix="/field/modules", tags=["field modules"])
DB = Annotated[Session, Depends(request_session, scope="function")]
Admin = Annotated[Principal, Depends(require_roles(Role.SYSTEM_ADMIN))]
MAX_XLSX = 1024 * 1024


@router.get("")
def list_modules(
    session: DB, principal: CurrentPrincipal, definitions: bool = True
) -> list[dict[str, Any]]:
    """The newest version of every active module (with its definition for the phone)."""
    return [
        registry.summary(m, with_definition=definitions) for m in registry.latest_modules(session)
    ]


@router.get("/{code}")
def get_module(
    code: str, session: DB, principal: CurrentPrincipal, version: int | None = None
) -> dict[str, Any]:
    return registry.summary(registry.get_module(session, code=code, version=version))


@router.get("/{code}/xlsx")
def download(
    code: str, session: DB, principal: CurrentPrincipal, version: int | None = None
) -> Response:
    module = registry.get_module(session, code=code, version=version)
    return Response(
        module.xlsx,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="{module.code}_v{module.version}.xlsx"'
        },
    )


XlsformUpload = Annotated[
    Upload[dict[str, Any]],
    Depends(
        authenticated_upload(registry.parse_upload, roles={Role.SYSTEM_ADMIN}, max_bytes=MAX_XLSX)
    ),
]


@router.post("", status_code=201, responses={400: {"description": "invalid XLSForm (row, reason)"}})
def upload(
    file: XlsformUpload,  # first: parsed and checked before the request's session begins
    session: DB,
    principal: Admin,
) -> dict[str, Any]:
    """Add a module (or a new version of one) from an XLSForm workbook."""
    registry.ensure_installed(session)
    module, created = registry.add_module(
        session, content=file.content, filename=file.filename, principal=principal
    )
    return {**registry.summary(module, with_definition=False), "created": created}


@router.post("/{code}/retire")
def retire(code: str, session: DB, principal: Admin) -> dict[str, Any]:
    module = registry.set_active(session, code=code, active=False, principal=principal)
    return registry.summary(module, with_definition=False)


@router.post("/{code}/activate")
def activate(code: str, session: DB, principal: Admin) -> dict[str, Any]:
    module = registry.set_active(session, code=code, active=True, principal=principal)
    return registry.summary(module, with_definition=False)


__all__ = ["ModuleInvalid", "router"]
