"""``gridgov backup`` / ``gridgov restore`` (registered at the top level in gridgov/cli.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from gridgov.audit.anchor import hand_over, write_anchor
from gridgov.audit.chain import seal_engine
from gridgov.config import get_settings
from gridgov.kit.db import get_engine
from gridgov.ops.backup import BackupError, backup, restore, verify_backup
from gridgov.ops.keys import mark_rotation, new_key, record, rekey_data, remaining


def backup_command(
    out: Path = typer.Argument(..., help="The encrypted backup file to write (.ggbak)"),
    verify: bool = typer.Option(
        True, "--verify/--no-verify", help="Restore into a fresh database and check it"
    ),
) -> None:
    """A consistent snapshot of the database and the photos, encrypted with the data key."""
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
    settings = get_settings()
    _report(file, postgres or (None if settings.is_sqlite else settings.database_url))


def _report(file: Path, postgres: str | None) -> None:
    ring = get_settings().data_key_ring[::-1]  # a backup made before a key rotation opens too
    result = verify_backup(file, data_key=ring, postgres_admin_url=postgres)
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
    settings = get_settings()
    try:
        restored = restore(
            file,
            database_url=database_url or settings.database_url,
            media_dir=settings.media_dir,
            data_key=settings.data_key_ring[::-1],
        )
    except BackupError as exc:
        typer.echo(f"restore refused: {exc}")
        raise typer.Exit(code=1) from exc
    typer.echo(
        f"restored {restored.manifest.kind} backup of {restored.manifest.created_at}: "
        f"{sum(restored.manifest.tables.values())} rows, {restored.media_files} photos"
    )


keys_app = typer.Typer(
    help="Key rotation: the signing secret (trail), the data key, the anchor key.",
    no_args_is_help=True,
)


@keys_app.command("new")
def keys_new() -> None:
    """Print a fresh random key for GRIDGOV_SECRET_KEY or GRIDGOV_DATA_KEY."""
    typer.echo(new_key())


@keys_app.command("rotate")
def keys_rotate(
    anchor_key: Path | None = typer.Option(
        None,
        "--anchor-key",
        help="Also replace the anchor key: write the new private key here, hand over from the "
        "old one (then point GRIDGOV_ANCHOR_KEY_FILE at it)",
    ),
) -> None:
    """Finish a rotation after the new keys are set and the old ones listed as retired
    (GRIDGOV_RETIRED_SECRET_KEYS, GRIDGOV_RETIRED_DATA_KEYS; see docs/operations.md): record it in
    the trail, re-encrypt every value still under a retired data key (in batches, while the
    server runs; run again to resume), anchor the new chain head."""
    settings = get_settings()
    retired = len(settings.secret_key_ring) > 1 or len(settings.data_key_ring) > 1
    if not retired and anchor_key is None:
        typer.echo(
            "nothing to rotate: set the new GRIDGOV_SECRET_KEY / GRIDGOV_DATA_KEY (gridgov keys "
            "new) and list the old ones in GRIDGOV_RETIRED_SECRET_KEYS / "
            "GRIDGOV_RETIRED_DATA_KEYS, restart, then run this again"
        )
        raise typer.Exit(code=2)
    engine = get_engine()
    marked = mark_rotation(engine, settings)
    typer.echo(
        f"trail: keys.rotated recorded (secret {marked['secret_key']}, "
        f"data key {marked['data_key']})"
    )
    if len(settings.data_key_ring) > 1:
        done = rekey_data(engine)
        for table, count in done.tables.items():
            typer.echo(f"  {table}: {count} rows re-encrypted")
        record("keys.reencrypted", {"data_key": marked["data_key"], "rows": done.tables})
        left = remaining(engine).total
        typer.echo(
            "every value is under the current data key"
            if not left
            else f"{left} rows still under a retired key (changed meanwhile): run again"
        )
    key_file = settings.anchor_key_file
    if anchor_key is not None:
        if key_file is None or settings.anchor_dir is None:
            typer.echo("--anchor-key needs GRIDGOV_ANCHOR_KEY_FILE and GRIDGOV_ANCHOR_DIR")
            raise typer.Exit(code=2)
        line = hand_over(key_file, anchor_key, settings.anchor_dir)
        typer.echo(
            f"anchor key handed over to {line['to']}: set GRIDGOV_ANCHOR_KEY_FILE={anchor_key}"
        )
        key_file = anchor_key
    if key_file is not None and settings.anchor_dir is not None:
        seal_engine(engine)
        with engine.begin() as conn:
            written = write_anchor(conn, key_file=key_file, directory=settings.anchor_dir)
        typer.echo(f"anchored seq {written['seq']}:{written['chain_hash']}")
