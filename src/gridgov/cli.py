"""The ``gridgov`` command line."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy import func, make_url, select

from gridgov.audit.cli import audit_app
from gridgov.auth.cli import user_app
from gridgov.auth.demo import create_demo_accounts
from gridgov.auth.repository import UserRepository
from gridgov.authz.principal import Principal, Role
from gridgov.cases.cli import cases_app
from gridgov.config import Mode, get_settings
from gridgov.dashboard.cli import dashboard_app
from gridgov.evaluation.cli import evaluation_app
from gridgov.fieldwork.cli import modules_app
from gridgov.fieldwork.forms.registry import install_defaults
from gridgov.grids.cli import grids_app
from gridgov.jobs.cli import jobs_app
from gridgov.jobs.cli import worker as jobs_worker
from gridgov.kit.db import get_engine, job_session, reset_engine
from gridgov.kit.errors import GridgovError
from gridgov.lifecycle.cli import lifecycle_app
from gridgov.models import Region
from gridgov.ops.cli import backup_command, keys_app, restore_command
from gridgov.ops.cli import verify_command as verify_backup_command
from gridgov.people.cli import export_app, import_app, stats_app
from gridgov.redivision.cli import register as register_redivision
from gridgov.sources.cli import reconcile_app, sources_app
from gridgov.workcal.cli import calendar_app

app = typer.Typer(
    help="gridgov — 网格化社会服务管理 / grid-based community governance", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
sim_app = typer.Typer(help="Synthetic city and day simulator.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sim_app, name="sim")
register_redivision(grids_app)
app.add_typer(grids_app, name="grids")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.command("backup")(backup_command)
app.command("restore")(restore_command)
app.command("verify-backup")(verify_backup_command)
app.add_typer(keys_app, name="keys")
app.add_typer(modules_app, name="modules")
app.add_typer(cases_app, name="cases")
app.add_typer(calendar_app, name="calendar")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
app.add_typer(stats_app, name="stats")
app.add_typer(sources_app, name="sources")
app.add_typer(reconcile_app, name="reconcile")
app.add_typer(lifecycle_app, name="lifecycle")
app.add_typer(evaluation_app, name="evaluation")
app.add_typer(dashboard_app, name="ledgers")
app.add_typer(jobs_app, name="jobs")
# The production scheduler process (issue 13 names it `gridgov worker`); `gridgov jobs worker`
# is the same command.
app.command("worker")(jobs_worker)

console = Console()


@app.callback()
def _fresh_settings() -> None:
    # Settings come from the environment of this invocation.
    get_settings.cache_clear()
    reset_engine()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="Target revision")) -> None:
    """Upgrade the database in GRIDGOV_DATABASE_URL to the latest schema."""
    # lazy: alembic and mako load only for db upgrade/demo, not for every command
    from gridgov.kit.migrations import upgrade

    url = get_settings().database_url
    upgrade(url, revision)
    console.print(f"[green]database at {revision}[/green]: {_safe_url(url)}")


@app.command("serve")
def serve(
    host: str = typer.Option(None, help="Interface to listen on (default from settings)"),
    port: int = typer.Option(None, help="Port (default 8000)"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Serve the web app and API."""
    # lazy: uvicorn (~0.4 s) loads only for serve/demo, not for every command
    import uvicorn

    # lazy: alembic loads only for db upgrade/serve/demo, not for every command
    from gridgov.kit.migrations import SchemaNotAtHeadError, require_head

    settings = get_settings()
    settings.check_secrets()
    if settings.mode != Mode.TEST:
        # create_app refuses too; checked here first for one clear line instead of a traceback
        try:
            require_head(get_engine())
        except SchemaNotAtHeadError as error:
            console.print(f"[red]{error}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from error
    uvicorn.run(
        "gridgov.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )


class RichProgress:
    """Progress bars for the simulator's phases."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task: TaskID | None = None

    def start(self, phase: str, total: int) -> None:
        if self.task is not None:
            self.progress.update(self.task, completed=self.progress.tasks[-1].total)
        self.task = self.progress.add_task(phase, total=total)

    def advance(self, amount: int = 1) -> None:
        if self.task is not None:
            self.progress.advance(self.task, amount)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


@sim_app.command("city")
def sim_city(
    grids: int = typer.Option(1110, min=1, max=20000, help="Number of community grids"),
    seed: int = typer.Option(1, help="Random seed (same seed, same city)"),
    population: bool = typer.Option(True, help="Also generate households and residents"),
) -> None:
    """Generate the synthetic reference city into an empty database."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim.city import build_city

    start = time.perf_counter()
    try:
        with _progress() as progress:
            sink = RichProgress(progress)
            with job_session() as session:
                summary = build_city(
                    session, grids=grids, seed=seed, progress=sink, with_population=population
                )
                sink.start("commit", 1)
            sink.advance()
    except GridgovError as exc:
        console.print(f"[red]{exc.message}[/red] / {exc.message_en}")
        raise typer.Exit(1) from exc
    elapsed = time.perf_counter() - start
    console.print(
        f"[green]city generated in {elapsed:.1f} s[/green]: {summary.districts} districts, "
        f"{summary.streets} streets, {summary.communities} communities, {summary.grids} grids, "
        f"{summary.overlays} commerce grids, {summary.workers} workers, "
        f"{summary.facilities} facilities, {summary.households} households, "
        f"{summary.persons} persons"
    )


@sim_app.command("cases")
def sim_cases(
    count: int = typer.Option(5000, min=1, max=2_000_000, help="Cases to simulate"),
    days: int = typer.Option(30, min=1, max=365, help="Reported over the last N days"),
    seed: int = typer.Option(1, help="Random seed"),
) -> None:
    """Simulate case history (every state of the loop) over the city's grids."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim.cases import simulate_cases

    start = time.perf_counter()
    with _progress() as progress, job_session() as session:
        summary = simulate_cases(
            session, seed=seed, count=count, days=days, progress=RichProgress(progress)
        )
    states = ", ".join(f"{state} {n}" for state, n in sorted(summary.by_state.items()))
    console.print(
        f"[green]{summary.cases} cases in {time.perf_counter() - start:.1f} s[/green]: {states}"
    )


@sim_app.command("drift")
def sim_drift(
    grow: list[str] = typer.Option([], help="GRID:HOUSEHOLDS, a new compound in the grid"),
    shrink: list[str] = typer.Option([], help="GRID:KEEP, demolish buildings down to KEEP"),
    seed: int = typer.Option(1, help="Random seed"),
) -> None:
    """Grow and shrink parts of the city so that grids drift out of 200–300 households."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim.growth import grow as grow_grid
    from gridgov.sim.growth import shrink as shrink_grid

    with job_session() as session:
        for item in grow:
            code, households = item.split(":")
            change = grow_grid(session, grid_code=code, households=int(households), seed=seed)
            console.print(f"{change.grid_code}: +{change.households} households")
        for item in shrink:
            code, keep = item.split(":")
            change = shrink_grid(session, grid_code=code, keep=int(keep))
            console.print(f"{change.grid_code}: {change.households} households")


@sim_app.command("events")
def sim_events(
    days: int = typer.Option(30, min=1, max=365, help="Events of the last N days"),
    seed: int = typer.Option(1, help="Random seed"),
    push: bool = typer.Option(True, help="Push them through the life-cycle rules"),
) -> None:
    """A month of life events (births, deaths, moves, permits) drawn from the city's people."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim import events

    start = time.perf_counter()
    with job_session() as session:
        month = events.simulate_month(session, seed=seed, days=days)
        statuses = events.push(session, month) if push else {}
    kinds = sorted({e.event_type for e in month.events})
    console.print(
        f"[green]{len(month.events)} events in {time.perf_counter() - start:.1f} s[/green]: "
        + ", ".join(f"{k} {month.count(k)}" for k in kinds)
        + (" → " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) if push else "")
    )


@sim_app.command("feeds")
def sim_feeds(
    out: Path = typer.Argument(..., help="Directory for the five files and truth.csv"),
    persons: int = typer.Option(100_000, help="Synthetic persons (ignored with --region)"),
    region: str = typer.Option(None, help="Use the base persons of this region code instead"),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet"),
    seed: int = typer.Option(7, help="Random seed"),
) -> None:
    """The five department files of the city with realistic noise, and the truth."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim import feeds

    start = time.perf_counter()
    if region:
        with job_session() as session:
            residents = feeds.population_from_db(session, region)
    else:
        residents = feeds.synthetic_population(persons, seed=seed)
    made = feeds.make_feeds(residents, seed=seed + 1)
    if region:
        made = feeds.unborn_in_base(made)
    paths = feeds.write_feeds(made, out, fmt=fmt)
    console.print(
        f"[green]{len(residents):,} persons → {len(made.truth):,} records in "
        f"{time.perf_counter() - start:.1f} s[/green]: "
        + ", ".join(
            f"{p.name} {len(made.files.get(k, [])):,}" for k, p in paths.items() if k in made.files
        )
    )


@app.command("demo")
def demo(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on"),
    port: int = typer.Option(8000, help="Port"),
    grids: int = typer.Option(1110, help="Grids of the synthetic city (first run only)"),
    cases: int = typer.Option(5000, help="Simulated cases of the last 30 days (first run only)"),
) -> None:
    """Demo mode: upgrade the database, build the synthetic city if it is empty, serve."""
    _demo_environment()
    db_upgrade("head")
    with job_session() as session:
        empty = not session.scalar(select(func.count()).select_from(Region))
    if empty:
        sim_city(grids=grids, seed=1, population=True)
        sim_cases(count=cases, days=30, seed=1)
    with job_session() as session:
        install_defaults(session)  # the nine reference collection modules
    _print_demo_accounts()
    if empty:
        _demo_patrols()
        # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
        from gridgov.sim.demo_steps import run_demo_steps

        run_demo_steps(console)
    console.print(f"[bold]gridgov demo[/bold] → http://{host}:{port}/")
    serve(host=host, port=port, workers=1)


def _print_demo_accounts() -> None:
    with job_session() as session:
        accounts = create_demo_accounts(session, settings=get_settings())
    # Plain lines, never truncated, easy to copy.
    console.print(
        "[bold]demo accounts / 演示账号[/bold] (username, password, role, region or department)"
    )
    for account in accounts:
        scope = account.region_code or account.department_code or "city"
        console.print(
            f"  {account.username:<20} {account.password:<20} {account.role.value:<20} {scope}",
            highlight=False,
            soft_wrap=True,
        )


def _demo_patrols() -> None:
    """A week of the demo grid worker's patrols, for the supervisors' duty table and track map."""
    # lazy: the simulator (numpy, shapely, openpyxl: ~1 s) loads only for sim/demo
    from gridgov.sim.patrols import simulate_patrols

    with job_session() as session:
        user = UserRepository(session).get_by_username(Role.GRID_WORKER.value)
        if user is None or not user.region_code:
            return
        worker = Principal(
            user_id=user.id,
            username=user.username,
            role=Role.GRID_WORKER,
            region_code=user.region_code,
        )
        points = simulate_patrols(session, worker=worker)
    console.print(f"{points} patrol points of the demo grid worker's last week")


def _safe_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _demo_environment() -> None:
    os.environ.setdefault("GRIDGOV_MODE", Mode.DEMO.value)
    get_settings.cache_clear()
    reset_engine()
