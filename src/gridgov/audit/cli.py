"""``gridgov audit seal|verify``."""

from __future__ import annotations

import typer

audit_app = typer.Typer(
    help="Audit trail (痕迹管理): seal and verify the hash chain.", no_args_is_help=True
)


@audit_app.command("seal")
def seal() -> None:
    """Give every committed entry its place in the chain (normally done after each commit)."""
    from gridgov.audit.chain import seal_engine
    from gridgov.kit.db import get_engine

    count = seal_engine(get_engine())
    typer.echo(f"sealed {count} entries")


@audit_app.command("verify")
def verify(
    no_seal: bool = typer.Option(False, "--no-seal", help="Do not seal pending entries first"),
    head: str = typer.Option(
        None, "--head", help="SEQ:HASH printed by an earlier run (detects removed newest entries)"
    ),
    grace: float = typer.Option(10.0, help="Seconds an entry may stay unsealed"),
) -> None:
    """Check the whole chain; exit 1 naming the first broken entry if anything was altered,
    removed or inserted out of band."""
    from datetime import timedelta

    from gridgov.audit.chain import verify_engine
    from gridgov.kit.db import get_engine

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
    if report.ok:
        typer.echo(
            f"trail intact: {report.checked} entries, head {report.head_seq}:{report.head_hash}"
        )
        if report.unsealed_recent:
            typer.echo(f"{report.unsealed_recent} recent entries not yet sealed")
        return
    first = report.first_broken
    typer.echo(f"trail BROKEN — first broken {first}")
    for problem in report.problems[1:20]:
        typer.echo(f"  also: {problem}")
    typer.echo(f"checked {report.checked} sealed entries")
    raise typer.Exit(code=1)
