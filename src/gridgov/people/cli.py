"""``gridgov import …`` and ``gridgov export …`` (registered in ``gridgov.cli``)."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.kit.db import job_session
from gridgov.people.exporter import export_persons, export_table
from gridgov.people.importer import import_persons, read_rows
from gridgov.people.stats import refresh_grid_stats

import_app = typer.Typer(
    help="Bulk import (CSV or Excel) into the population base.", no_args_is_help=True
)
export_app = typer.Typer(help="Export the population base to CSV or Excel.", no_args_is_help=True)
console = Console()


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@import_app.command("persons")
def import_persons_command(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV or XLSX file"),
    commit: bool = typer.Option(
        False, "--commit/--dry-run", help="Load the valid rows (default: dry run, report only)"
    ),
    reason: str = typer.Option(None, help="Reason recorded on every new version"),
    report_file: Path = typer.Option(None, "--report", help="Write the full report as JSON"),
    max_errors: int = typer.Option(50, help="Rejected rows to print"),
) -> None:
    """Check every row of FILE (bad ID check digit, unknown grid, duplicate, already in the
    base …); with --commit load the valid rows in one transaction."""
    with _progress() as bar, job_session() as session:
        task = bar.add_task("校验/导入 rows", total=None)
        report = import_persons(
            session,
            principal=system_principal(f"cli:{getpass.getuser()}"),
            rows=read_rows(file),
            commit=commit,
            reason=reason or f"导入 {file.name}",
            actor=f"cli:{getpass.getuser()}",
            progress=lambda n: bar.advance(task, n),
        )
        bar.update(task, total=report.total, completed=report.total)
    table = Table("行 row", "字段 field", "原因 reason")
    for error in report.errors[:max_errors]:
        table.add_row(str(error.row), error.field or "", f"{error.message} / {error.message_en}")
    if report.errors:
        console.print(table)
    if report_file:
        report_file.write_text(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    rate = report.total / report.seconds if report.seconds else 0
    console.print(
        f"rows {report.total}, valid {report.valid}, rejected {report.rejected}; "
        + (
            f"[green]loaded {report.persons_created} persons, {report.households_created} "
            f"households, {report.houses_created} houses[/green]"
            if report.committed
            else "[yellow]dry run: nothing loaded (use --commit)[/yellow]"
        )
        + f" in {report.seconds:.1f}s ({rate:,.0f} rows/s)"
    )
    if report.rejected and not report.valid:
        raise typer.Exit(1)


@export_app.command("persons")
def export_persons_command(
    file: Path = typer.Argument(..., dir_okay=False, help="Target .csv or .xlsx"),
    region: str = typer.Option(None, help="Only this region code (district…grid)"),
    full: bool = typer.Option(False, help="Unmasked ID numbers and phones (needs --purpose)"),
    purpose: str = typer.Option(None, help="Why the full data are exported (written to the trail)"),
) -> None:
    """Export persons (masked unless --full --purpose …)."""
    with job_session() as session:
        count = export_persons(
            session,
            principal=system_principal(f"cli:{getpass.getuser()}"),
            path=file,
            region_code=region,
            full=full,
            purpose=purpose,
        )
    console.print(f"[green]{count} persons[/green] → {file}")


def _export_table(kind: str, file: Path, region: str | None) -> None:
    with job_session() as session:
        count = export_table(
            session,
            kind=kind,
            principal=system_principal(f"cli:{getpass.getuser()}"),
            path=file,
            region_code=region,
        )
    console.print(f"[green]{count} {kind}[/green] → {file}")


@export_app.command("households")
def export_households_command(
    file: Path = typer.Argument(..., dir_okay=False), region: str = typer.Option(None)
) -> None:
    """Export households."""
    _export_table("households", file, region)


@export_app.command("houses")
def export_houses_command(
    file: Path = typer.Argument(..., dir_okay=False), region: str = typer.Option(None)
) -> None:
    """Export houses."""
    _export_table("houses", file, region)


@export_app.command("organisations")
def export_organisations_command(
    file: Path = typer.Argument(..., dir_okay=False), region: str = typer.Option(None)
) -> None:
    """Export organisations."""
    _export_table("organisations", file, region)


stats_app = typer.Typer(
    help="Population statistics per grid (the map's counts).", no_args_is_help=True
)


@stats_app.command("refresh")
def refresh_stats_command(
    grid: list[str] = typer.Option(None, "--grid", help="Only these grid codes (default: all)"),
) -> None:
    """Recompute the counts from the population base. Writes keep them current; run this daily
    anyway (cron), because people turn 60 without any write, and after loading data out of band."""
    with job_session() as session:
        written = refresh_grid_stats(session, grid_codes=grid or None)
    console.print(f"{written} grid statistics refreshed")
