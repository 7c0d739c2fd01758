"""What an operator watches: one JSON line per request and ``/metrics`` for Prometheus.

Request log (logger ``gridgov.requests``, one JSON object a line)::

    {"ts": "2026-12-06T02:00:00.123Z", "request_id": "…", "principal": "user:12/grid_worker",
     "method": "GET", "route": "/api/v1/persons/{person_id}", "status": 200, "duration_ms": 4.1}

No personal data: the route is the template (never the path with its ids or the query string),
the principal is an account id and role (never a name).

Metrics: ``gridgov_http_requests_total{method,route,status}``,
``gridgov_http_request_duration_seconds{route}``, and at each scrape from the database
``gridgov_field_sync_conflicts_open`` (the sync's review queue), ``gridgov_field_uploads_pending``
and ``gridgov_job_runs_total{job,outcome}`` (last 24 h). ``/metrics`` answers loopback clients,
or anyone presenting ``Authorization: Bearer $GRIDGOV_METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
import json
import logging
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import Engine, func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gridgov.config import Settings
from gridgov.models.field_submission import FieldUpload, SyncConflict
from gridgov.models.job import JobRun

request_log = logging.getLogger("gridgov.requests")
_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


class _Metrics:
    def __init__(self, engine: Engine) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "gridgov_http_requests",
            "HTTP requests answered",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "gridgov_http_request_duration_seconds",
            "Time to answer a request",
            ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.registry.register(_DatabaseCollector(engine))


class _DatabaseCollector:
    """Queue and job figures read at scrape time (a few indexed counts)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Any]:
        since = datetime.now(UTC) - timedelta(days=1)
        with self.engine.connect() as conn:
            conflicts = conn.scalar(
                select(func.count()).select_from(SyncConflict).where(SyncConflict.state == "open")
            )
            uploads = conn.scalar(
                select(func.count())
                .select_from(FieldUpload)
                .where(FieldUpload.completed_at.is_(None))
            )
            runs = conn.execute(
                select(JobRun.job, JobRun.error.is_(None), func.count())
                .where(JobRun.started_at >= since, JobRun.finished_at.is_not(None))
                .group_by(JobRun.job, JobRun.error.is_(None))
            ).all()
        yield GaugeMetricFamily(
            "gridgov_field_sync_conflicts_open",
            "Synced records waiting for a supervisor's review",
            value=conflicts or 0,
        )
        yield GaugeMetricFamily(
            "gridgov_field_uploads_pending", "Photo uploads begun, not finished", value=uploads or 0
        )
        family = CounterMetricFamily(
            "gridgov_job_runs", "Scheduled job runs in the last 24 h", labels=["job", "outcome"]
        )
        for job, succeeded, count in runs:
            family.add_metric([job, "success" if succeeded else "error"], count)
        yield family


class ObservabilityMiddleware:
    """Times every request, counts it, and writes its JSON line."""

    def __init__(self, app: ASGIApp, *, metrics: _Metrics, log_requests: bool) -> None:
        self.app = app
        self.metrics = metrics
        self.log_requests = log_requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") == "/metrics":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        request_id: str | None = None

        async def remember_status(message: Message) -> None:
            nonlocal status, request_id
            if message["type"] == "http.response.start":
                status = message["status"]
                # Set by RequestContextMiddleware, inside this one.
                for name, value in message.get("headers") or []:
                    if name == b"x-request-id":
                        request_id = value.decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, remember_status)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_of(scope)
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.duration.labels(route).observe(elapsed)
            if self.log_requests:
                request_log.info(
                    json.dumps(
                        {
                            "ts": datetime.now(UTC).isoformat(timespec="milliseconds")[:-6] + "Z",
                            "request_id": request_id,
                            "principal": _principal_of(scope),
                            "method": scope["method"],
                            "route": route,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 1),
                        }
                    )
                )


def _route_of(scope: Scope) -> str:
    """The matched route's template with its router's prefix (``/api/v1/cases/{case_id}``)."""
    path = str(scope.get("path", ""))
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    regex = getattr(route, "path_regex", None)
    if template and regex is not None:
        # An included router's route knows only its own part: find the prefix it sits under.
        for index, char in enumerate(path):
            if char == "/" and regex.match(path[index:]):
                return path[:index] + str(template)
        return str(template)
    return "/static" if path.startswith("/static/") else "(unmatched)"


def _principal_of(scope: Scope) -> str | None:
    principal = (scope.get("state") or {}).get("principal")
    if principal is None:
        return None
    if getattr(principal, "system", False):
        return f"system:{principal.username}"
    return f"user:{principal.user_id}/{principal.role}"


def install(app: FastAPI, settings: Settings) -> None:
    """The request log, the metrics middleware and ``GET /metrics``."""
    metrics = _Metrics(app.state.engine)
    if settings.request_log and not request_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        request_log.addHandler(handler)
        request_log.setLevel(logging.INFO)
        request_log.propagate = False
    app.add_middleware(ObservabilityMiddleware, metrics=metrics, log_requests=settings.request_log)

    @app.get("/metrics", include_in_schema=False)
    def prometheus_metrics(request: Request) -> Response:
        token = settings.metrics_token
        presented = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        client = request.client.host if request.client else ""
        allowed = (token and hmac.compare_digest(presented, token)) or (
            not token and client in _LOOPBACK
        )
        if not allowed:
            return Response("forbidden\n", status_code=403, media_type="text/plain")
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
