"""Life events, rules, proxy services and admission (准入): `gridgov lifecycle …`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from gridgov.authz.principal import system_principal
from gridgov.kit.db import job_session
from gridgov.lifecycle import listeners as _listeners  # noqa: F401  (registers the listener)
from gridgov.lifecycle import rulebook, rules
from gridgov.lifecycle.jobs import JOBS

lifecycle_app = typer.Typer(
    help="Life events, rules, proxy services, admission.", no_args_is_help=True
)
console = Console()


@lifecycle_app.command("run-jobs")
def run_jobs(
    today: str = typer.Option("", help="The day to compute for (YYYY-MM-DD; default today)"),
    job: list[str] = typer.Option([], help="Only these jobs (e.g. lifecycle.turning_60)"),
) -> None:
    """Computed events: turning 60 and 80, permits expiring in 30 days, 16 without an ID."""
    day = date.fromisoformat(today) if today else date.today()
    unknown = set(job) - set(JOBS)
    if unknown:
        raise typer.BadParameter(f"unknown job(s): {', '.join(sorted(unknown))}")
    for name, fn in JOBS.items():
        if job and name not in job:
            continue
        with job_session() as session:
            made = fn(session, system_principal(name), day)
        console.print(f"{name}: {made} events")


@lifecycle_app.command("check-rules")
def check_rules(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Check a rules file; every problem with its line (exit 1 when there is one)."""
    try:
        with job_session() as session:
            modules = rulebook.known_modules(session)
    except SQLAlchemyError:
        # No database at hand (checking a file before deploying it): the shipped modules.
        modules = rulebook.shipped_modules()
        console.print("[yellow]no database: modules checked against the shipped ones[/yellow]")
    book, problems = rules.parse(path.read_text(encoding="utf-8"), modules=modules)
    for problem in problems:
        console.print(f"{path}:{problem.line}: {problem.reason} / {problem.reason_en}")
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]{len(book.rules)} rules, {len(book.services)} services[/green]")
