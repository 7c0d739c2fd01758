"""Supervision dashboard and Excel ledgers: `gridgov ledgers …`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import select

from gridgov.audit import trail
from gridgov.authz.principal import system_principal
from gridgov.dashboard import aggregates
from gridgov.dashboard.aggregates import local_today
from gridgov.kit.db import job_session
from gridgov.kit.errors import BadRequest, NotFound
from gridgov.models import Facility

dashboard_app = typer.Typer(
    help="Excel ledgers (台账) and the dashboard's counts.", no_args_is_help=True
)
console = Console()


@dashboard_app.command("refresh")
def refresh_command() -> None:
    """Count the finished days not counted yet and rebuild the open-case snapshot."""
    with job_session() as session:
        days = aggregates.refresh_case_days(session)
        snapshot = aggregates.refresh_open_cases(session)
    console.print(f"dashboard counts: {days} daily rows added, {snapshot} open-case rows")


@dashboard_app.command("make")
def make_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="population | special_population | cases | patrol | scores | proxy_services"
        ),
    ],
    out: Annotated[Path, typer.Option(help="Where to write the .xlsx")],
    region: Annotated[str | None, typer.Option(help="Region code (default: the city)")] = None,
    start: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD")] = None,
) -> None:
    """Write one ledger to a file."""
    # lazy: openpyxl (~0.5 s) loads only for the commands that write ledgers, not every command
    from gridgov.dashboard import ledgers

    principal = system_principal("ledgers.make")
    with job_session() as session:
        request = ledgers.prepare(
            session,
            principal=principal,
            kind=kind,
            region=region,
            start=date.fromisoformat(start) if start else None,
            end=date.fromisoformat(end) if end else None,
        )
        rows = ledgers.write(
            session, principal=principal, request=request, target=out, today=local_today()
        )
    console.print(f"{out}: {rows} rows")


@dashboard_app.command("monthly")
def monthly_command(
    month: Annotated[str | None, typer.Option(help="YYYY-MM (default: last month)")] = None,
) -> None:
    """Make every ledger of a month for the city and each district (the downloads page)."""
    # lazy: openpyxl (~0.5 s) loads only for the commands that write ledgers, not every command
    from gridgov.dashboard import ledger_files

    chosen = date.fromisoformat(month + "-01") if month else ledger_files.previous_month()
    with job_session() as session:
        made = ledger_files.make_monthly(session, month=chosen)
    console.print(f"{len(made)} ledgers made for {chosen:%Y-%m}")


@dashboard_app.command("camera-stream")
def camera_stream_command(
    code: Annotated[str, typer.Argument(help="The camera's 16-digit facility code")],
    url: Annotated[str, typer.Argument(help="HLS address (https://…/index.m3u8); '' removes it")],
) -> None:
    """Set (or remove) the live stream a camera shows in the dashboard's grid panel."""
    if url and not (url.startswith("https://") or url.startswith("http://")):
        raise BadRequest("视频流地址须以 http(s):// 开头", "The stream address must be http(s)://")
    with job_session() as session:
        camera = session.scalar(
            select(Facility).where(Facility.code == code, Facility.kind == "camera")
        )
        if camera is None:
            raise NotFound("监控电子眼不存在", "No such camera", code=code)
        before = camera.stream_url
        camera.stream_url = url or None
        trail.record(
            session,
            action="facility.stream_url",
            object_type="facility",
            object_id=camera.id,
            principal=system_principal("ledgers.camera-stream"),
            before={"stream_url": before},
            after={"stream_url": camera.stream_url},
        )
    console.print(f"{code}: {url or 'stream removed'}")
