"""Demo step: the dashboard's counts filled and last month's ledgers made, as the scheduler's
``dashboard.refresh`` and ``ledgers.monthly`` jobs would have done."""

from __future__ import annotations

import time

from rich.console import Console

from gridgov.dashboard import aggregates, ledger_files
from gridgov.kit.db import job_session


def demo_step(console: Console) -> None:
    started = time.perf_counter()
    with job_session() as session:
        days = aggregates.refresh_case_days(session)
        snapshot = aggregates.refresh_open_cases(session)
        month = ledger_files.previous_month()
        # The city's ledgers only (the scheduler also makes each district's): a quick demo.
        made = ledger_files.make_monthly(session, month=month, districts=False)
    elapsed = time.perf_counter() - started
    console.print(
        f"[green]dashboard: counts filled ({days} daily rows, {snapshot} open-case rows) and "
        f"{len(made)} ledgers of {month:%Y-%m} made in {elapsed:.1f} s[/green] "
        "(/dashboard as leader, /ledgers)"
    )
