"""Supervision dashboard and Excel ledgers: the big-screen page ``/dashboard`` and the ledger
downloads page ``/ledgers``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from gridgov.auth.deps import page_roles
from gridgov.authz.policy import DASHBOARD_ROLES, LEDGER_ROLES, city_wide
from gridgov.authz.principal import Principal
from gridgov.cases.intake import CHANNELS
from gridgov.dashboard import ledger_files, ledgers
from gridgov.dashboard.aggregates import local_today
from gridgov.dashboard.messages import JS_KEYS, MESSAGES
from gridgov.grids.facilities import FACILITY_KINDS
from gridgov.kit.db import request_session
from gridgov.web.i18n import N_, gettext, request_language
from gridgov.web.nav import add_nav
from gridgov.web.render import render

router = APIRouter(include_in_schema=False)
add_nav(N_("指挥大屏"), "/dashboard", set(DASHBOARD_ROLES))
add_nav(N_("台账下载"), "/ledgers", set(LEDGER_ROLES))

DbSession = Annotated[Session, Depends(request_session, scope="function")]
Reader = Annotated[Principal, Depends(page_roles(*DASHBOARD_ROLES))]
LedgerReader = Annotated[Principal, Depends(page_roles(*LEDGER_ROLES))]


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(request: Request, principal: Reader) -> HTMLResponse:
    """The supervision dashboard: map, layers, drill-down, charts; big-screen mode."""
    language = request_language(request)
    strings = {key: gettext(language, MESSAGES[key]) for key in JS_KEYS}
    kinds = [
        {"kind": k.key, "name": k.name_zh if language == "zh-CN" else k.name_en}
        for k in FACILITY_KINDS.values()
    ]
    channels = {key: zh if language == "zh-CN" else en for key, (zh, en) in CHANNELS.items()}
    # Territory staff start at their own region; the city roles at the city.
    root = "" if city_wide(principal) else (principal.region_code or "")
    return render(
        request,
        "dashboard/dashboard.html",
        principal=principal,
        page_title=gettext(language, "网格化治理监督指挥大屏"),
        dash_config={"strings": strings, "kinds": kinds, "root": root, "channels": channels},
    )


@router.get("/ledgers", response_class=HTMLResponse)
def ledgers_page(request: Request, principal: LedgerReader, session: DbSession) -> HTMLResponse:
    """Ledgers on demand (kind, region, period) and the monthly ledgers already made."""
    language = request_language(request)
    today = local_today()
    return render(
        request,
        "dashboard/ledgers.html",
        principal=principal,
        page_title=gettext(language, "台账下载"),
        kinds=list(ledgers.catalogue()),
        files=[ledger_files.to_read(f) for f in ledger_files.list_files(session, principal)],
        region=request.query_params.get("region", ""),
        start=today.replace(day=1).isoformat(),
        end=today.isoformat(),
    )
