"""Department sources and reconciliation (数据比对).: `gridgov sources …`."""

from __future__ import annotations

import typer

sources_app = typer.Typer(
    help="Department sources: register, load, reconcile.", no_args_is_help=True
)
