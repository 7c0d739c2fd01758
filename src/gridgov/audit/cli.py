"""``gridgov audit seal|verify``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from gridgov.audit.anchor import (
    AnchorNotConfigured,
    check_anchors,
    make_key,
    public_key_of,
    write_anchor,
)
from gridgov.audit.chain import seal_engine, verify_engine
from gridgov.config import get_settings
from gridgov.kit.db import get_engine

audit_app = typer.Typer(
    help="Audit trail (痕迹管理): seal and verify the hash chain.", no_args_is_help=True
)


@audit_app.command("seal")
def seal() -> None:
    """Give every committed entry its place in the chain (normally done after each commit)."""
    count = seal_engine(get_engine())
    typer.echo(f"sealed {count} entries")


@audit_app.command("verify")
def verify(
    no_seal: bool = typer.Option(False, "--no-seal", help="Do not seal pending entries first"),
    head: str = typer.Option(
        None, "--head", help="SEQ:HASH printed by an earlier run (detects removed newest entries)"
    ),
    grace: float = typer.Option(10.0, help="Seconds an entry may stay unsealed"),
    anchors: Path | None = typer.Option(
        None, "--anchors", help="Directory of signed anchors (default: GRIDGOV_ANCHOR_DIR)"
    ),
    public_key: str | None = typer.Option(
        None, "--public-key", help="Trusted anchor key, hex (default: the .pub of the key file)"
    ),
) -> None:
    """Check the whole chain; exit 1 naming the first broken entry if anything was altered,
    removed or inserted out of band."""
    expect = None
    if head:
        seq, _, digest = head.partition(":")
        if not seq.isdigit() or len(digest) != 64:
            raise typer.BadParameter("--head must look like 1234:<64 hex>")
        expect = (int(seq), digest)
    report = verify_engine(
        get_engine(),
        seal_first=not no_seal,
        grace=timedelta(seconds=grace),
        expect_head=expect,
    )
    anchor_problems = _check_anchors(anchors, public_key)
    if report.ok and not anchor_problems:
        typer.echo(
            f"trail intact: {report.checked} entries, head {report.head_seq}:{report.head_hash}"
        )
        if report.unsealed_recent:
            typer.echo(f"{report.unsealed_recent} recent entries not yet sealed")
        return
    problems = [str(p) for p in report.problems] + anchor_problems
    typer.echo(f"trail BROKEN — first broken {problems[0]}")
    for problem in problems[1:20]:
        typer.echo(f"  also: {problem}")
    typer.echo(f"checked {report.checked} sealed entries")
    raise typer.Exit(code=1)


def _check_anchors(directory: Path | None, public_key: str | None) -> list[str]:
    """Problems found against the signed anchors (none configured: nothing to check)."""
    settings = get_settings()
    directory = directory or settings.anchor_dir
    if directory is None or not directory.exists():
        return []
    trusted = public_key or public_key_of(settings.anchor_key_file)
    with get_engine().connect() as conn:
        result = check_anchors(conn, directory, public_key=trusted)
    typer.echo(f"{result.checked} anchors checked (newest at seq {result.newest_seq})")
    return list(result.problems or [])


@audit_app.command("anchor")
def anchor() -> None:
    """Seal, then sign the chain head and append it to GRIDGOV_ANCHOR_DIR and the log (the
    ``audit.anchor`` job does this every hour)."""
    settings = get_settings()
    engine = get_engine()
    seal_engine(engine)
    try:
        with engine.begin() as conn:
            written = write_anchor(
                conn, key_file=settings.anchor_key_file, directory=settings.anchor_dir
            )
    except AnchorNotConfigured as exc:
        typer.echo(str(exc))
        raise typer.Exit(code=2) from exc
    typer.echo(f"anchored seq {written['seq']}:{written['chain_hash']} at {written['at']}")


@audit_app.command("anchor-key")
def anchor_key(path: Path = typer.Argument(..., help="Where to write the private key")) -> None:
    """Make the Ed25519 anchor key (the private key file, mode 0600, and ``<path>.pub``)."""
    public = make_key(path)
    typer.echo(f"private key {path} (keep it off the database server), public key {public}")
