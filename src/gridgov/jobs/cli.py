"""Background work: after-commit jobs and the scheduler.: `gridgov jobs …`."""

from __future__ import annotations

import typer

jobs_app = typer.Typer(help="Scheduled jobs: list, run.", no_args_is_help=True)
