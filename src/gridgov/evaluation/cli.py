"""Objective evaluation from the trail (客观评价).: `gridgov evaluation …`."""

from __future__ import annotations

import typer

evaluation_app = typer.Typer(help="Evaluation rules, scores, appeals.", no_args_is_help=True)
