"""Grid re-division on the command line: `gridgov grids drift | propose | approve`."""

from __future__ import annotations

from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, system_principal
from gridgov.kit.clock import city_zone
from gridgov.kit.db import job_session
from gridgov.kit.errors import GridgovError
from gridgov.redivision import service
from gridgov.redivision.apply import approve
from gridgov.redivision.drift import drift
from gridgov.redivision.schemas import ProposalRead

console = Console()
CHANGE_TEXT = {
    "added": "新增",
    "split": "拆分",
    "merged": "合并",
    "adjusted": "调整",
    "retired": "撤销",
    None: "不变",
}


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


def propose_command(
    community: str = typer.Option(None, "--community", help="12-digit community code"),
    street: str = typer.Option(
        None, "--street", help="9-digit street code: every community of it with a grid out of range"
    ),
    time_limit: float = typer.Option(
        5.0, help="Solver time limit in seconds (soft: up to 3x while nothing is found)"
    ),
) -> None:
    """Compute a re-division proposal for a community or a street (or explain why none is
    possible)."""
    if (community is None) == (street is None):
        console.print("[red]给出 --community 或 --street 之一[/red]\nGive --community or --street")
        raise typer.Exit(2)
    principal = system_principal("redivision-propose")
    try:
        with job_session() as session:
            if street is not None:
                _propose_street(session, principal, street, time_limit)
                return
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


def _propose_street(session: Session, principal: Principal, street: str, limit: float) -> None:
    outcomes = service.propose_street(
        session, principal=principal, street_code=street, time_limit=limit
    )
    if not outcomes:
        console.print(f"every grid of {street} is within range; nothing to re-divide")
    for outcome in outcomes:
        if outcome.proposal is None:
            assert outcome.refusal is not None
            console.print(
                f"{outcome.community_code}: [red]{outcome.refusal.message}[/red]\n"
                f"{outcome.refusal.message_en}"
            )
            continue
        _print(
            service.proposal_read(
                session, principal=principal, proposal=outcome.proposal, check_stale=False
            )
        )


def approve_command(
    proposal_id: int,
    note: str = typer.Option("", help="Reason"),
    effective_on: datetime = typer.Option(
        None,
        "--effective-on",
        formats=["%Y-%m-%d"],
        help="Day the new division takes effect (city time); default: now",
    ),
) -> None:
    """Apply a proposal now or from a later day (district staff approve on the page or API)."""
    try:
        with job_session() as session:
            result = approve(
                session,
                principal=system_principal("redivision-approve"),
                proposal_id=proposal_id,
                note=note or None,
                effective_at=effective_on.replace(tzinfo=city_zone()) if effective_on else None,
            )
    except GridgovError as exc:
        console.print(f"[red]{exc.message}[/red]\n{exc.message_en}")
        raise typer.Exit(1) from exc
    if result.state == "scheduled":
        console.print(f"scheduled: takes effect at {result.effective_at.astimezone(city_zone())}")
        return
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


def register(grids_app: typer.Typer) -> None:
    """Re-division works on grids: its commands sit under ``gridgov grids``."""
    grids_app.command("drift")(drift_command)
    grids_app.command("propose")(propose_command)
    grids_app.command("approve")(approve_command)
