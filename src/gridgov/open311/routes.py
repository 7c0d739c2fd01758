"""Open311 GeoReport v2 endpoints at ``/open311/v2``; every path takes ``.json`` or ``.xml``.

Errors are ``[{code, description}]`` (``<errors><error>…``) with 400, 403 or 404 — never the
app's own error shape, and never 422: every parameter is parsed here by hand. Routes raise; the
one error mapping (gridgov.web.errors) answers in this format for every path under the prefix,
and the request's session rolls back whatever a refused request wrote.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from gridgov.kit.db import request_session
from gridgov.open311 import service
from gridgov.open311.formats import FORMATS, Open311Error, error_for_path, render
from gridgov.web.errors import register_protocol

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-25T00:00:00Z"


def _format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Open311Error(404, f"format {fmt} is not supported (json, xml)")
    return fmt


register_protocol("/open311/", lambda request, exc: error_for_path(request.url.path, exc))


@router.get("/discovery.{fmt}")
def discovery(fmt: str, request: Request) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    settings = request.app.state.settings
    data = {
        "changeset": CHANGESET,
        "contact": f"{settings.city_name} 城市运行管理中心 / city command centre",
        "key_service": "api_key: gridgov cases add-client NAME --kind open311",
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return render(_format(fmt), data, root="discovery", item=None)


@router.get("/services.{fmt}")
def services(fmt: str, session: Session = Depends(request_session, scope="function")) -> Response:
    return render(_format(fmt), service.services(session), root="services", item="service")


@router.get("/services/{code}.{fmt}")
def service_definition(
    code: str, fmt: str, session: Session = Depends(request_session, scope="function")
) -> Response:
    return render(
        _format(fmt), service.definition(session, code), root="service_definition", item=None
    )


@router.post("/requests.{fmt}")
async def post_request(
    fmt: str, request: Request, session: Session = Depends(request_session, scope="function")
) -> Response:
    form = await request.form()
    fields = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    attributes: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key.startswith("attribute[") and key.endswith("]") and isinstance(value, str):
            name = key[len("attribute[") : -1].removesuffix("][")
            attributes.setdefault(name.rstrip("[]"), []).append(value)

    def produce() -> Response:
        client_id = service.authenticate(session, fields.get("api_key"))
        created = service.create_request(
            session, client_id=client_id, form=fields, attributes=attributes
        )
        return render(fmt, [created], root="service_requests", item="request")

    _format(fmt)
    return await run_in_threadpool(produce)


@router.get("/tokens/{token}.{fmt}")
def get_token(
    token: str, fmt: str, session: Session = Depends(request_session, scope="function")
) -> Response:
    return render(
        _format(fmt), [service.token(session, token)], root="service_requests", item="request"
    )


@router.get("/requests.{fmt}")
def get_requests(
    fmt: str, request: Request, session: Session = Depends(request_session, scope="function")
) -> Response:
    params = dict(request.query_params)
    return render(
        _format(fmt),
        service.find_requests(session, params),
        root="service_requests",
        item="request",
    )


@router.get("/requests/{request_id}.{fmt}")
def get_request(
    request_id: str, fmt: str, session: Session = Depends(request_session, scope="function")
) -> Response:
    return render(
        _format(fmt),
        [service.get_request(session, request_id)],
        root="service_requests",
        item="request",
    )
