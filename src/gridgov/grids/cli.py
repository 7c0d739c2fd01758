"""``gridgov grids …``: GeoJSON import/export and worker assignment."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.grids.service import assign_worker
from gridgov.grids.transfer import ImportRejected, export_geojson, import_geojson
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError

grids_app = typer.Typer(
    help="Grids: GeoJSON import/export, worker assignment, re-division (drift, propose, approve).",
    no_args_is_help=True,
)
console = Console()
err = Console(stderr=True)


@grids_app.command("import")
def import_grids(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="GeoJSON FeatureCollection"),
) -> None:
    """Create or update regions from GeoJSON. Any problem rejects the whole file."""
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        err.print(f"[red]不是有效的 JSON / not valid JSON[/red]: {exc}")
        raise typer.Exit(1) from exc
    try:
        with job_session() as session:
            report = import_geojson(
                session, document=document, principal=system_principal(f"cli:{getpass.getuser()}")
            )
    except ImportRejected as exc:
        err.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        table = Table("#", "code", "问题 / problem")
        for problem in exc.details["problems"]:
            table.add_row(
                "" if problem["feature"] is None else str(problem["feature"]),
                problem["code"] or "",
                f"{problem['message']}\n{problem['message_en']}",
            )
        err.print(table)
        raise typer.Exit(1) from exc
    console.print(f"[green]imported[/green]: {report.created} created, {report.updated} updated")


@grids_app.command("export")
def export_grids(
    file: Path | None = typer.Argument(None, help="Output file (default: standard output)"),
    layer: str | None = typer.Option(None, help="Only this layer (base, commerce)"),
) -> None:
    """Write every region (and overlay) as a GeoJSON FeatureCollection."""
    with job_session() as session:
        document = export_geojson(session, layer=layer)
    text = json.dumps(document, ensure_ascii=False)
    if file is None:
        sys.stdout.write(text + "\n")
    else:
        file.write_text(text, encoding="utf-8")
        err.print(f"[green]{len(document['features'])} features[/green] → {file}")


@grids_app.command("assign")
def assign(
    code: str = typer.Argument(..., help="Grid (or overlay region) code"),
    staff_no: str = typer.Argument(..., help="Staff number, e.g. W00012"),
    reason: str = typer.Option(..., "--reason", help="Why the grid changes hands"),
) -> None:
    """Make a staff member responsible for a grid; the assignment history is kept."""
    try:
        with job_session() as session:
            assign_worker(
                session,
                principal=system_principal(f"cli:{getpass.getuser()}"),
                code=code,
                staff_no=staff_no,
                reason=reason,
            )
    except GridgovError as exc:
        err.print(f"[red]{exc.message}[/red] / {exc.message_en}")
        raise typer.Exit(1) from exc
    console.print(f"[green]{staff_no} → {code}[/green]")
