"""``gridgov calendar …``: import an announced schedule, show a year."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console

from gridgov.authz.principal import system_principal
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError
from gridgov.workcal import service

calendar_app = typer.Typer(
    help="Working-time calendar (holidays, make-up days).", no_args_is_help=True
)
console = Console()


@calendar_app.command("import")
def import_file(
    file: Path = typer.Argument(
        ..., exists=True, readable=True, help="CSV (day,kind,name) or JSON"
    ),
    year: int = typer.Option(None, help="Year (default: from the file)"),
) -> None:
    """Import the State Council's announced schedule of one year (replaces that year)."""
    try:
        file_year, days = service.parse_schedule(
            file.read_text(encoding="utf-8"), filename=file.name
        )
        target = year or file_year or (days[0].day.year if days else None)
        if target is None:
            raise typer.BadParameter("the file names no year and has no days; pass --year")
        with job_session() as session:
            result = service.import_schedule(
                session,
                principal=system_principal(f"cli:{getpass.getuser()}"),
                year=target,
                days=days,
                source=f"import:{file.name}",
            )
    except GridgovError as exc:
        console.print(f"[red]{exc.message} / {exc.message_en}[/red]")
        raise typer.Exit(1) from exc
    off = sum(1 for d in result.days if d.kind == "off")
    work = sum(1 for d in result.days if d.kind == "work")
    console.print(f"[green]{target}[/green]: {off} days off, {work} make-up working days imported")


@calendar_app.command("show")
def show(year: int = typer.Argument(..., help="Year")) -> None:
    """List a year's holidays and make-up working days, or warn that it was never entered."""
    with job_session() as session:
        status = service.year_status(session, year=year)
    if not status.known:
        console.print(f"[yellow]{status.warning}[/yellow]")
        return
    console.print(f"{year}: {status.source} ({status.updated_by})")
    for day in status.days:
        console.print(f"  {day.day} {day.kind:4} {day.name}")
