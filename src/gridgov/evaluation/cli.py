"""``gridgov evaluation …``: score days, check a rules file, print the month's rankings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.evaluation import indicators, rules, service
from gridgov.kit.db import job_session

evaluation_app = typer.Typer(help="Evaluation rules, scores, appeals.", no_args_is_help=True)
console = Console()


@evaluation_app.command("score")
def score(
    start: str = typer.Option(..., "--from", help="First day, YYYY-MM-DD"),
    end: str = typer.Option(None, "--to", help="Last day (default: the first)"),
) -> None:
    """(Re)compute the points of the days (what `evaluation.daily` does each night)."""
    first = date.fromisoformat(start)
    last = date.fromisoformat(end) if end else first
    with job_session() as session:
        count = service.score_period(
            session, principal=system_principal("evaluation.score"), start=first, end=last
        )
    console.print(f"{count} points for {first} … {last}")


@evaluation_app.command("check-rules")
def check_rules(path: Path = typer.Argument(..., exists=True, readable=True)) -> None:
    """Check a rules file: every problem with its line, exit 1 if any."""
    try:
        book = rules.parse(path.read_text(encoding="utf-8"))
    except rules.InvalidRules as refused:
        for problem in refused.problems:
            console.print(f"[red]{path}:{problem.line}[/red] {problem.reason_en}", soft_wrap=True)
        raise typer.Exit(1) from None
    console.print(f"[green]ok[/green]: {len(book.rules)} rules, base {book.base}")


@evaluation_app.command("ranking")
def ranking(
    month: str = typer.Option(..., help="YYYY-MM"),
    subject: str = typer.Option("department", help="department | person"),
) -> None:
    """The month's ranking (as stored: run `score` first)."""
    start, end = indicators.period_range("month", date.fromisoformat(f"{month}-01"))
    with job_session() as session:
        found = service.scores(
            session,
            principal=system_principal("evaluation.ranking"),
            subject_type=subject,
            start=start,
            end=end,
        )
    table = Table("rank", subject, "score", "deductions", "credits", "points")
    for s in found:
        table.add_row(
            str(s.rank), s.subject_id, f"{s.total:.1f}", f"{s.deductions:.1f}",
            f"{s.credits:.1f}", str(s.points),
        )  # fmt: skip
    console.print(table)
