"""``gridgov backup`` / ``gridgov restore`` (registered at the top level in gridgov/cli.py)."""

from __future__ import annotations

from pathlib import Path

import typer


def backup_command(
    out: Path = typer.Argument(..., help="The encrypted backup file to write (.ggbak)"),
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Restore into a fresh database and check it"
    ),
) -> None:
    """A consistent snapshot of the database and the photos, encrypted with the data key."""
    from gridgov.config import get_settings
    from gridgov.kit.db import get_engine
    from gridgov.ops.backup import backup

    settings = get_settings()
    manifest = backup(
        get_engine(),
        database_url=settings.database_url,
        media_dir=settings.media_dir,
        out=out,
        data_key=settings.data_key,
    )
    rows = sum(manifest.tables.values())
    typer.echo(
        f"backup {out}: {manifest.kind}, {len(manifest.tables)} tables, {rows} rows, "
        f"{manifest.media_files} photos, trail head {manifest.trail_head[0]}"
    )
    if verify:
        _report(out, settings.database_url if manifest.kind == "postgresql" else None)


def verify_command(
    file: Path = typer.Argument(..., exists=True, help="A backup file"),
    postgres: str | None = typer.Option(
        None, help="PostgreSQL server to restore a PostgreSQL backup into (default: this one)"
    ),
) -> None:
    """Restore a backup into a fresh database; check row counts and the trail."""
    from gridgov.config import get_settings

    settings = get_settings()
    _report(file, postgres or (None if settings.is_sqlite else settings.database_url))


def _report(file: Path, postgres: str | None) -> None:
    from gridgov.config import get_settings
    from gridgov.ops.backup import verify_backup

    result = verify_backup(file, data_key=get_settings().data_key, postgres_admin_url=postgres)
    if result.ok:
        typer.echo(
            f"verified: restored {result.tables} tables, {result.rows} rows, "
            f"trail intact ({result.trail_entries} entries)"
        )
        return
    typer.echo("backup verification FAILED")
    for problem in result.problems[:20]:
        typer.echo(f"  {problem}")
    raise typer.Exit(code=1)


def restore_command(
    file: Path = typer.Argument(..., exists=True, help="A backup file"),
    database_url: str = typer.Option(
        None,
        "--database-url",
        help="An empty database to restore into (default: GRIDGOV_DATABASE_URL)",
    ),
) -> None:
    """Restore into an empty database (a new SQLite file, or an empty PostgreSQL database) and
    the media directory."""
    from gridgov.config import get_settings
    from gridgov.ops.backup import BackupError, restore

    settings = get_settings()
    try:
        restored = restore(
            file,
            database_url=database_url or settings.database_url,
            media_dir=settings.media_dir,
            data_key=settings.data_key,
        )
    except BackupError as exc:
        typer.echo(f"restore refused: {exc}")
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"restored {restored.manifest.kind} backup of {restored.manifest.created_at}: "
        f"{sum(restored.manifest.tables.values())} rows, {restored.media_files} photos"
    )
