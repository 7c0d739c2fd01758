"""Application factory."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import sessionmaker
from starlette.middleware.trustedhost import TrustedHostMiddleware

import gridgov.audit.denials  # noqa: F401  (denied access goes to the trail)
from gridgov import __version__
from gridgov.audit.pages import router as audit_pages
from gridgov.audit.routes import router as audit_router
from gridgov.auth.pages import router as auth_pages
from gridgov.auth.routes import router as auth_router
from gridgov.auth.routes import users_router
from gridgov.cases.pages import router as cases_pages
from gridgov.cases.routes import router as cases_router
from gridgov.config import Mode, Settings, get_settings
from gridgov.dashboard.pages import router as dashboard_pages
from gridgov.dashboard.routes import router as dashboard_router
from gridgov.evaluation.pages import router as evaluation_pages
from gridgov.evaluation.routes import router as evaluation_router
from gridgov.fieldwork.routes import router as fieldwork_router
from gridgov.fieldwork.web import router as field_pages
from gridgov.grids.routes import router as grids_router
from gridgov.housing.pages import router as housing_pages
from gridgov.housing.routes import router as housing_router
from gridgov.jobs.pages import router as jobs_pages
from gridgov.jobs.routes import router as jobs_router
from gridgov.jobs.scheduler import lifespan as jobs_lifespan
from gridgov.kit.db import make_engine
from gridgov.kit.middleware import (
    BodySizeLimitMiddleware,
    NulCharacterMiddleware,
    RequestContextMiddleware,
)
from gridgov.kit.migrations import require_head
from gridgov.kit.security import (
    SecurityHeadersMiddleware,
    allowed_hosts,
    install_access_log_masking,
)
from gridgov.kit.throttle import Throttle, ThrottleMiddleware
from gridgov.lifecycle.pages import router as lifecycle_pages
from gridgov.lifecycle.routes import router as lifecycle_router
from gridgov.media.routes import router as media_router
from gridgov.open311.routes import router as open311_router
from gridgov.ops.observability import install as install_observability
from gridgov.organisations.pages import router as organisations_pages
from gridgov.organisations.routes import router as organisations_router
from gridgov.people.pages import router as people_pages
from gridgov.people.routes import router as people_router
from gridgov.redivision.pages import router as redivision_pages
from gridgov.redivision.routes import router as redivision_router
from gridgov.sources.pages import router as sources_pages
from gridgov.sources.routes import router as sources_router
from gridgov.tasks.routes import router as tasks_router
from gridgov.web import STATIC_DIR
from gridgov.web.errors import install as install_error_handlers
from gridgov.web.routes import router as web_router
from gridgov.workcal.routes import router as calendar_router

API_PREFIX = "/api/v1"
FAVICON = "/static/field/icon-192.png"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_secrets()

    app = FastAPI(
        title="gridgov",
        version=__version__,
        description="网格化社会服务管理 — grid-based community governance",
        openapi_url="/openapi.json",
        docs_url=None,  # served below from our own static folder: the machines are offline
        redoc_url=None,
        lifespan=jobs_lifespan,  # the embedded scheduler (gridgov.jobs.scheduler)
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, echo=settings.sql_echo)
    if settings.mode != Mode.TEST:  # tests build their schemas themselves (tests/conftest.py)
        require_head(app.state.engine)  # a schema behind the code: refuse, don't answer 500s
    app.state.session_factory = sessionmaker(bind=app.state.engine, expire_on_commit=False)

    install_error_handlers(app)
    _include_routers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="gridgov API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url=FAVICON,
        )

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse(FAVICON, status_code=301)

    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        large_max_bytes=settings.max_photo_bytes,
        # Photo uploads: the media API and the case forms (clerk intake, residents); department
        # batches (up to 10,000 records a push, ~4 MB) and file uploads of the sources.
        large_paths=(
            f"{API_PREFIX}/media",
            "/cases/new",
            "/report",
            f"{API_PREFIX}/sources/",
            "/sources/",
        ),
    )
    app.add_middleware(NulCharacterMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(ThrottleMiddleware, throttle=Throttle.from_settings(settings))
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.hsts)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts(settings))
    install_access_log_masking()
    install_observability(app, settings)
    return app


def _include_routers(app: FastAPI) -> None:
    # Routes are tried in order and every route tried costs each request (measured: matching
    # was most of the CPU of a request that touches no database): the API first — sign-in and
    # /auth/me (every client, every start), case intake, the phone's sync — then the other API
    # routers, then the pages (a browser loads a page once, then calls the API).
    app.include_router(auth_router, prefix=API_PREFIX)
    app.include_router(cases_router, prefix=API_PREFIX)
    app.include_router(fieldwork_router, prefix=API_PREFIX)
    app.include_router(grids_router, prefix=API_PREFIX)
    app.include_router(people_router, prefix=API_PREFIX)
    app.include_router(housing_router, prefix=API_PREFIX)
    app.include_router(organisations_router, prefix=API_PREFIX)
    app.include_router(users_router, prefix=API_PREFIX)
    app.include_router(audit_router, prefix=API_PREFIX)
    app.include_router(media_router, prefix=API_PREFIX)
    app.include_router(calendar_router, prefix=API_PREFIX)
    app.include_router(tasks_router, prefix=API_PREFIX)
    app.include_router(sources_router, prefix=API_PREFIX)
    app.include_router(lifecycle_router, prefix=API_PREFIX)
    app.include_router(evaluation_router, prefix=API_PREFIX)
    app.include_router(dashboard_router, prefix=API_PREFIX)
    app.include_router(redivision_router, prefix=API_PREFIX)
    app.include_router(jobs_router, prefix=API_PREFIX)
    app.include_router(people_pages)
    app.include_router(housing_pages)
    app.include_router(organisations_pages)
    app.include_router(auth_pages)
    app.include_router(audit_pages)
    app.include_router(open311_router)
    app.include_router(cases_pages)
    app.include_router(field_pages)
    app.include_router(sources_pages)
    app.include_router(lifecycle_pages)
    app.include_router(evaluation_pages)
    app.include_router(dashboard_pages)
    app.include_router(redivision_pages)
    app.include_router(jobs_pages)
    app.include_router(web_router)
