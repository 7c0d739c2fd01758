"""Department sources and reconciliation (数据比对): `gridgov sources …`."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError
from gridgov.sources.files import read_department_file
from gridgov.sources.merges import propose
from gridgov.sources.repository import SourceRepository
from gridgov.sources.service import add_source, load_rows

sources_app = typer.Typer(
    help="Department sources: register, load, reconcile.", no_args_is_help=True
)
# `gridgov reconcile run|export`: the same commands as `gridgov sources reconcile|export`.
reconcile_app = typer.Typer(
    help="Reconciliation (数据比对): run it, export its decisions.", no_args_is_help=True
)
console = Console()
SHIPPED = Path(__file__).parent / "mappings"


@contextmanager
def _refusals() -> Iterator[None]:
    """A refused mapping, file or run: say why (Chinese, then English), exit 1, change nothing."""
    try:
        yield
    except GridgovError as exc:
        console.print(f"[red]{exc.message}[/red] ({exc.message_en})")
        raise typer.Exit(1) from None


def _mapping_path(value: str) -> Path:
    """A mapping file, or the name of a shipped one (``police_hukou``)."""
    path = Path(value)
    if path.exists():
        return path
    shipped = SHIPPED / f"{value.removesuffix('.toml')}.toml"
    if shipped.exists():
        return shipped
    raise typer.BadParameter(f"no mapping file {value} (shipped: {_shipped_names()})")


def _shipped_names() -> str:
    return ", ".join(sorted(p.stem for p in SHIPPED.glob("*.toml")))


@sources_app.command("add")
def add_command(
    name: str = typer.Argument(..., help="Short name of the source, e.g. police_hukou"),
    mapping: str = typer.Option(..., "--mapping", help="Mapping TOML file or a shipped name"),
    department: str = typer.Option(None, "--department", help="Department code (else mapping's)"),
) -> None:
    """Register a department source from its mapping file; prints its push API key once."""
    text = _mapping_path(mapping).read_text(encoding="utf-8")
    with _refusals(), job_session() as session:
        source, key = add_source(
            session,
            principal=system_principal("sources-add"),
            name=name,
            mapping_text=text,
            department=department,
        )
        console.print(f"[green]已登记[/] {source.name}（{source.title}，{source.department_code}）")
    console.print(f"API key (shown once): [bold]{key}[/]")


@sources_app.command("list")
def list_command() -> None:
    """The registered sources."""
    table = Table("name", "title", "department", "kind", "may create persons", "records")
    with job_session() as session:
        for s in SourceRepository(session).list_sources():
            table.add_row(
                s.name, s.title, s.department_code, s.kind, "yes" if s.may_create_persons else "",
                str(SourceRepository(session).count_current(s.id)),
            )  # fmt: skip
    console.print(table)


@sources_app.command("load")
def load_command(
    name: str = typer.Argument(..., help="Registered source name"),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="CSV, XLSX or Parquet"),
    max_errors: int = typer.Option(30, help="Rejected rows to print"),
) -> None:
    """Load a department file; the same records again change nothing."""
    with _refusals():
        _load(name, file, max_errors)


def _load(name: str, file: Path, max_errors: int) -> None:
    header, rows = read_department_file(file.read_bytes(), filename=file.name)
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    )  # fmt: skip
    with progress as bar, job_session() as session:
        task = bar.add_task(f"载入 {file.name}", total=None)
        load = load_rows(
            session,
            principal=system_principal(f"sources-load:{name}"),
            source=SourceRepository(session).source_by_name(name),
            rows=rows,
            channel="file",
            filename=file.name,
            header=header,
            progress=lambda n: bar.advance(task, n),
        )
        bar.update(
            task, total=load.received - load.rejected, completed=load.received - load.rejected
        )
        summary = (load.received, load.created, load.changed, load.unchanged, load.rejected)
        errors = list(load.errors)
    console.print("received {} · new {} · changed {} · unchanged {} · rejected {}".format(*summary))
    if errors:
        table = Table("row", "reason")
        for error in errors[:max_errors]:
            table.add_row(str(error["row"]), error["reason"])
        console.print(table)


@sources_app.command("reconcile")
@reconcile_app.command("run")
def reconcile_command(
    source: list[str] = typer.Option(None, "--source", help="Only these sources (repeatable)"),
    train: bool = typer.Option(None, "--train/--no-train", help="Re-estimate the model"),
    engine: str = typer.Option(
        "duckdb",
        "--engine",
        help="Where Splink runs: duckdb (this process) or spark (Splink's Spark backend, "
        "GRIDGOV_SPARK_MASTER or local[*]; needs pyspark and Java 17)",
    ),
) -> None:
    """Link every undecided record against the base: automatic links, review queue, findings."""
    # lazy: linking brings pandas, DuckDB and Splink (~0.5 s), which no other command needs
    from gridgov.sources.linking import EngineUnavailable, check_engine
    from gridgov.sources.reconcile import reconcile

    started = time.perf_counter()
    try:
        check_engine(engine)
    except EngineUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    with job_session() as session:
        chosen = [
            s for s in SourceRepository(session).list_sources() if not source or s.name in source
        ]
        if not chosen:
            raise typer.BadParameter("no such source")
        summary = reconcile(
            session, principal=system_principal("sources-reconcile"), sources=chosen, train=train,
            engine=engine,
        )  # fmt: skip
    table = Table("decision", "records")
    for decision, count in sorted(summary.decisions.items()):
        table.add_row(decision, f"{count:,}")
    console.print(table)
    console.print(
        f"records {summary.records:,} · findings {summary.findings:,} · mothers linked "
        f"{summary.mothers:,} · {time.perf_counter() - started:.1f} s"
    )


@sources_app.command("export")
@reconcile_app.command("export")
def export_command(
    file: Path = typer.Argument(..., help="CSV or Parquet (by extension)"),
) -> None:
    """One row per source record (source, record id, person id, decision, probability) and per
    base person (``base``, person id, the person it is now, its status), to score the result
    against known truth."""
    # lazy: see reconcile_command
    from gridgov.sources.reconcile import base_statement, decided_statement

    with job_session() as session:
        rows = [tuple(r) for r in session.execute(decided_statement())]
        rows += [tuple(r) for r in session.execute(base_statement())]
    columns = ["source", "record_id", "person_id", "decision", "probability"]
    if file.suffix.lower() == ".parquet":
        # lazy: pyarrow loads only to write a Parquet file
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({c: [r[i] for r in rows] for i, c in enumerate(columns)}), file)
    else:
        with file.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            writer.writerows(rows)
    console.print(f"{len(rows):,} rows → {file}")


@sources_app.command("duplicates")
def duplicates_command() -> None:
    """Propose merges of duplicate persons inside the base (an old 15-digit ID, an ID typo);
    staff merge or reject them, a merge can be split again."""
    with job_session() as session:
        new = propose(session, principal=system_principal("sources-duplicates"))
    console.print(f"{new:,} new merge proposals")
