"""Grid re-division: `gridgov redivision …`."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from gridgov.authz.principal import system_principal
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError
from gridgov.redivision import service
from gridgov.redivision.apply import approve
from gridgov.redivision.drift import drift
from gridgov.redivision.schemas import ProposalRead

redivision_app = typer.Typer(
    help="Grid re-division: drift, proposals, apply.", no_args_is_help=True
)
console = Console()
CHANGE_TEXT = {
    "added": "新增",
    "split": "拆分",
    "merged": "合并",
    "adjusted": "调整",
    "retired": "撤销",
    None: "不变",
}


@redivision_app.command("drift")
def drift_command(
    region: str = typer.Option(..., "--region", help="District, street or community code"),
) -> None:
    """Grids out of the 200–300 household range under a region."""
    with job_session() as session:
        read = drift(
            session,
            principal=system_principal("redivision-drift"),
            region_code=region,
            only_out_of_range=True,
        )
    table = Table("grid", "households", "deviation", "persons", "cases/30d", "worker")
    for load in read.grids:
        table.add_row(
            load.code,
            str(load.households),
            f"{load.deviation:+.0%}",
            str(load.persons),
            str(load.cases_per_month),
            load.worker or "-",
        )
    console.print(table)


@redivision_app.command("propose")
def propose_command(
    community: str = typer.Option(..., "--community", help="12-digit community code"),
    time_limit: float = typer.Option(
        5.0, help="Solver time limit in seconds (soft: up to 3x while nothing is found)"
    ),
) -> None:
    """Compute a re-division proposal for a community (or explain why none is possible)."""
    principal = system_principal("redivision-propose")
    try:
        with job_session() as session:
            proposal = service.propose(
                session, principal=principal, community_code=community, time_limit=time_limit
            )
            read = service.proposal_read(
                session, principal=principal, proposal=proposal, check_stale=False
            )
    except GridgovError as exc:
        console.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        raise typer.Exit(1) from exc
    _print(read)


@redivision_app.command("approve")
def approve_command(proposal_id: int, note: str = typer.Option("", help="Reason")) -> None:
    """Apply a proposal (as the system; district staff approve on the page or the API)."""
    try:
        with job_session() as session:
            result = approve(
                session,
                principal=system_principal("redivision-approve"),
                proposal_id=proposal_id,
                note=note or None,
            )
    except GridgovError as exc:
        console.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        raise typer.Exit(1) from exc
    console.print(
        f"applied: added {result.added}, retired {result.retired}, changed {result.changed}, "
        f"moved {result.moved}, workers {result.reassigned}"
    )


def _print(read: object) -> None:
    assert isinstance(read, ProposalRead)
    console.print(
        f"proposal {read.id} for {read.community_code}: {read.households_moved} households "
        f"move, solver {read.solver_status} in {read.solve_seconds:.1f} s"
    )
    table = Table("grid", "change", "households", "from", "worker")
    for slot in read.slots:
        table.add_row(
            slot.code or f"new {slot.slot + 1}",
            CHANGE_TEXT.get(slot.change, slot.change or ""),
            str(slot.households),
            ", ".join(slot.from_codes) or "-",
            slot.worker or "-",
        )
    console.print(table)
