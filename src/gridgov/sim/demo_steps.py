"""What ``gridgov demo`` adds to a freshly built city, one step per capability.

Each capability appends its own step (a function taking the console) to ``STEPS``; the steps
run in order after the city, the cases and the demo accounts exist, each in its own job session.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console

from gridgov.sim import basemap, dashboard, events, feeds, growth, scores

Step = Callable[[Console], None]

STEPS: list[Step] = []
STEPS.append(basemap.demo_step)  # issue 10: roads, compounds, buildings under every map
STEPS.append(growth.demo_step)  # issue 14: one drifted community with its proposal ready
STEPS.append(scores.demo_step)  # issue 13: a month of evaluation scores
STEPS.append(feeds.demo_step)  # issue 11: department feeds reconciled (review queue, findings)
STEPS.append(dashboard.demo_step)  # issue 13: dashboard counts, last month's ledgers
STEPS.append(events.demo_step)  # issue 12: a week of life events as tasks, services, timelines


def run_demo_steps(console: Console) -> None:
    for step in STEPS:
        step(console)
