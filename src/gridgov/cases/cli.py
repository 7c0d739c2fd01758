"""``gridgov cases …``: register Open311 apps and SMS / e-mail gateways, show the overdue set."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from gridgov.cases import service
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError

cases_app = typer.Typer(help="Cases: channel clients, overdue set.", no_args_is_help=True)
console = Console()


@cases_app.command("add-client")
def add_client(
    name: str = typer.Argument(..., help="Name of the app or gateway"),
    kind: str = typer.Option("open311", help="open311 | sms | email"),
) -> None:
    """Register an Open311 app (api_key) or an SMS / e-mail gateway; prints its key once."""
    try:
        with job_session() as session:
            client, key = service.add_client(session, name=name, kind=kind, created_by="cli")
            client_id = client.id
    except GridgovError as exc:
        console.print(f"[red]{exc.message} / {exc.message_en}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"client {client_id} ({kind}) {name}")
    console.print(f"key (shown once): [bold]{key}[/bold]")


@cases_app.command("overdue")
def overdue() -> None:
    """Count the cases whose running step is past its deadline."""
    with job_session() as session:
        started = time.perf_counter()
        ids = service.overdue_ids(session)
        elapsed = time.perf_counter() - started
    console.print(f"{len(ids)} overdue cases ({elapsed * 1000:.1f} ms)")
