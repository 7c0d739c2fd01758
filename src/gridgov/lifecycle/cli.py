"""Life events, rules, proxy services and admission (准入).: `gridgov lifecycle …`."""

from __future__ import annotations

import typer

lifecycle_app = typer.Typer(
    help="Life events, rules, proxy services, admission.", no_args_is_help=True
)
