"""The ``gridgov`` command line."""

from __future__ import annotations

import typer
from rich.console import Console

from gridgov.config import Mode, get_settings
from gridgov.kit.db import reset_engine

app = typer.Typer(help="gridgov — 网格化社会服务管理 / grid-based community governance", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
sim_app = typer.Typer(help="Synthetic city and day simulator.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sim_app, name="sim")

console = Console()


@app.callback()
def _fresh_settings() -> None:
    # Settings come from the environment of this invocation.
    get_settings.cache_clear()
    reset_engine()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("heads", help="Target revision")) -> None:
    """Upgrade the database in GRIDGOV_DATABASE_URL to the latest schema."""
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
    import uvicorn

    settings = get_settings()
    settings.check_secrets()
    uvicorn.run(
        "gridgov.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
    )


def _safe_url(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


def _demo_environment() -> None:
    import os

    os.environ.setdefault("GRIDGOV_MODE", Mode.DEMO.value)
    get_settings.cache_clear()
    reset_engine()
