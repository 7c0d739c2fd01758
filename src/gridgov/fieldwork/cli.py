"""``gridgov modules``: the collection modules of the field app (XLSForm files)."""

from __future__ import annotations

import getpass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.fieldwork.forms import registry
from gridgov.fieldwork.forms.xlsform import ModuleInvalid, parse_definition, questions
from gridgov.kit.db import job_session

modules_app = typer.Typer(
    help="Collection modules (XLSForm) of the field app.", no_args_is_help=True
)
console = Console()


@modules_app.command("add")
def add(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="XLSForm .xlsx"),
) -> None:
    """Add a module, or a new version of one, from an XLSForm file."""
    try:
        with job_session() as session:
            registry.ensure_installed(session)
            module, created = registry.add_module(
                session,
                content=file.read_bytes(),
                filename=file.name,
                principal=system_principal(f"cli:{getpass.getuser()}"),
            )
            code, version = module.code, module.version
    except ModuleInvalid as exc:
        console.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        raise typer.Exit(1) from exc
    state = "added" if created else "unchanged (same file as the current version)"
    console.print(f"[green]{code}[/green] version {version}: {state}")


@modules_app.command("install-defaults")
def install_defaults() -> None:
    """Add the shipped modules not installed yet and newer shipped versions (run it after an
    upgrade of gridgov)."""
    with job_session() as session:
        added = [f"{m.code}@{m.version}" for m in registry.install_defaults(session)]
    console.print(f"added {len(added)}: {', '.join(added) or '-'}")


@modules_app.command("list")
def list_modules() -> None:
    """The newest version of every module."""
    table = Table("code", "version", "title", "target", "fields", "active")
    with job_session() as session:
        for module in registry.latest_modules(session):
            table.add_row(
                module.code,
                str(module.version),
                module.title,
                module.target or "",
                str(registry.field_count(module)),
                "yes" if module.active else "no",
            )
    console.print(table)


@modules_app.command("check")
def check(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Check an XLSForm file without adding it (row and reason of the first problem)."""
    try:
        definition = parse_definition(file.read_bytes(), fallback_code=file.stem)
    except ModuleInvalid as exc:
        console.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        raise typer.Exit(1) from exc
    count = len(questions(definition))
    console.print(f"[green]ok[/green] {definition['id_string']}: {count} fields")
