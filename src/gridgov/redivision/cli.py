"""Grid re-division proposals and hand-over.: `gridgov redivision …`."""

from __future__ import annotations

import typer

redivision_app = typer.Typer(
    help="Grid re-division: drift, proposals, apply.", no_args_is_help=True
)
