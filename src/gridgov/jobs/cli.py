"""``gridgov jobs …``: list the scheduled jobs, run one now, run the worker."""

from __future__ import annotations

import signal
import threading

import typer
from rich.console import Console
from rich.table import Table

from gridgov.jobs import registry, runner, service
from gridgov.jobs.scheduler import Scheduler
from gridgov.kit.db import job_session, session_factory

jobs_app = typer.Typer(help="Scheduled jobs: list, run, worker.", no_args_is_help=True)
console = Console()


@jobs_app.command("list")
def list_jobs() -> None:
    """Every registered job with its schedule and its last run."""
    specs = registry.load_all()
    with job_session() as session:
        last = {run.job: run for run in service.last_runs(session, list(specs))}
    table = Table("job", "schedule", "last run", "rows", "error", "description")
    for name, spec in specs.items():
        run = last.get(name)
        table.add_row(
            name,
            spec.schedule_text,
            service.local_text(run.started_at) if run else "-",
            str(run.rows) if run and run.rows is not None else "-",
            (run.error or "")[:60] if run else "",
            spec.description_en,
        )
    console.print(table)


@jobs_app.command("run")
def run_job(name: str = typer.Argument(..., help="Job name (see `gridgov jobs list`)")) -> None:
    """Run one job now (waits for no schedule; refused while another server holds its lease)."""
    spec = registry.get(name)
    if spec is None:
        console.print(f"[red]unknown job {name!r}[/red] (gridgov jobs list)")
        raise typer.Exit(2)
    result = runner.run(session_factory(), spec, kind="manual")
    if not result.ran:
        console.print(f"[yellow]{name} is running elsewhere (lease held); try again later[/yellow]")
        raise typer.Exit(1)
    if result.error:
        console.print(f"[red]{name} failed[/red]: {result.error}")
        raise typer.Exit(1)
    console.print(f"[green]{name}[/green]: {result.rows} rows")


@jobs_app.command("worker")
def worker() -> None:
    """Run the scheduler in the foreground (production: beside `gridgov serve` with
    GRIDGOV_SCHEDULER_EMBEDDED=false, or several of them: the database lease keeps each run
    single)."""
    scheduler = Scheduler(session_factory())
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    scheduler.start()
    console.print(f"scheduler {scheduler.owner}: {len(scheduler.jobs)} jobs (Ctrl-C stops)")
    try:
        while not stop.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        scheduler.shutdown()
