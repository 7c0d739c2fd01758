"""One form for reporting a case, shared by the clerk's intake (``/cases/new``) and the residents'
``/report``: the same fields (``ReportForm``), the same template partial
(``cases/_report_form.html``), the same intake call. They differ only in what the clerk may set
(the channel, the priority, the point typed in, nearby open cases of the category shown) and in
what a resident must give (a place: a point or an address); a resident has no account."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from gridgov.auth.csrf import set_csrf_cookie
from gridgov.authz.principal import Principal, Role
from gridgov.cases import categories as cat
from gridgov.cases import intake
from gridgov.cases.intake import CHANNELS, CLERK_CHANNELS
from gridgov.cases.schemas import CaseCreate
from gridgov.cases.states import State
from gridgov.kit.errors import BadRequest
from gridgov.models.case import Case
from gridgov.web.forms import attempt, form_number
from gridgov.web.i18n import pick, request_language
from gridgov.web.render import render

MAX_PAGE_PHOTOS = 9
PRIORITIES = ("normal", "urgent", "critical")


def reference(session: Session, request: Request) -> dict[str, Any]:
    """The categories (grouped under their parent for a select), departments and states of the
    case pages, in the reader's language."""
    ref = cat.reference(session)
    language = request_language(request)
    groups: dict[str, list[tuple[str, str]]] = {}
    for info in ref.categories.values():
        if info.selectable:
            parent = ref.categories.get(info.parent_code or "")
            group = pick(language, parent.name, parent.name_en) if parent else ""
            label = f"{info.code} {pick(language, info.name, info.name_en)}"
            groups.setdefault(f"{info.parent_code} {group}", []).append((info.code, label))
    departments = {
        code: pick(language, name, name_en) for code, (name, name_en) in ref.departments.items()
    }
    return {
        "category_groups": groups,
        "category_names": {
            code: pick(language, info.name, info.name_en) for code, info in ref.categories.items()
        },
        "departments": list(departments.items()),
        "department_names": departments,
        "states": [s.value for s in State],
    }


@dataclass
class ReportForm:
    """The posted fields of a report, as typed (shown again when it is refused)."""

    category_code: str = ""
    description: str = ""
    lng: str = ""
    lat: str = ""
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    channel: str = "web"
    priority: str = "normal"
    photos: list[UploadFile] = field(default_factory=list)

    @property
    def values(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if name != "photos"}

    def case(self) -> CaseCreate:
        return CaseCreate(
            channel=self.channel,
            category_code=self.category_code or None,
            description=self.description,
            lng=form_number(self.lng),
            lat=form_number(self.lat),
            address=self.address[:200] or None,
            priority=self.priority if self.priority in PRIORITIES else "normal",
            reporter_name=self.reporter_name or None,
            reporter_phone=self.reporter_phone or None,
        )

    def photo_files(self, limit: int) -> list[tuple[str, bytes]]:
        return [
            (upload.filename, upload.file.read(limit + 1))
            for upload in self.photos[:MAX_PAGE_PHOTOS]
            if upload.filename
        ]


def report_form(
    category_code: Annotated[str, Form(max_length=16)] = "",
    description: Annotated[str, Form(max_length=20000)] = "",
    lng: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
    address: Annotated[str, Form(max_length=400)] = "",
    reporter_name: Annotated[str, Form(max_length=64)] = "",
    reporter_phone: Annotated[str, Form(max_length=32)] = "",
    photos: Annotated[list[UploadFile], File()] = [],  # noqa: B006
) -> ReportForm:
    """The fields everyone reports with (a dependency of both form routes)."""
    return ReportForm(
        category_code=category_code,
        description=description,
        lng=lng,
        lat=lat,
        address=address,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        photos=photos,
    )


def report_page(
    request: Request,
    session: Session,
    *,
    principal: Principal,
    values: dict[str, Any],
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The clerk's intake page, or (a resident without an account) the residents' report page."""
    clerk = principal.role != Role.RESIDENT
    response = render(
        request,
        "cases/new.html" if clerk else "cases/public_report.html",
        status_code=status_code,
        principal=principal,  # a resident has no account: no menu (web.nav)
        values=values,
        error=error,
        clerk=clerk,
        clerk_channels=[c for c in CHANNELS if c in CLERK_CHANNELS],
        **reference(session, request),
    )
    if not clerk:
        set_csrf_cookie(request, response)  # a resident may come without a session
    return response


def submit_report(
    request: Request,
    session: Session,
    form: ReportForm,
    *,
    principal: Principal,
    done: Callable[[Case], str],
) -> Response:
    """Create the case (to ``done(case)``), or show the form again with the reason."""
    settings = request.app.state.settings
    with attempt(session) as tried:
        resident = principal.role == Role.RESIDENT
        if resident and form_number(form.lng) is None and not form.address.strip():
            raise BadRequest(
                "请在地图上点选位置或填写地址", "Pick the place on the map or give an address"
            )
        result = intake.create_case(
            session,
            principal=principal,
            data=form.case(),
            channel=form.channel,
            photos=form.photo_files(settings.max_photo_bytes),
            settings=settings,
        )
    if tried.error:
        return report_page(
            request,
            session,
            principal=principal,
            values=form.values,
            error=tried.message(request),
            status_code=tried.error.status_code,
        )
    return RedirectResponse(done(result.case), status_code=303)
