"""Supervision dashboard and Excel ledgers.: `gridgov ledgers …`."""

from __future__ import annotations

import typer

dashboard_app = typer.Typer(help="Excel ledgers (台账).", no_args_is_help=True)
