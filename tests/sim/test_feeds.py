"""The department feeds of the simulator: noisy like real registers, never impossible."""

from __future__ import annotations

import random
from datetime import date, timedelta

from gridgov.sim.feeds import Noise


def test_a_noisy_birth_date_is_never_in_the_future() -> None:
    """Newborns' dates get clerical noise too (a lunar birthday 20–50 days off, a year off), but a
    register refuses a date after today, and so does the loader."""
    noise = Noise(random.Random(1))
    yesterday = date.today() - timedelta(days=1)
    dates = [noise.birth(yesterday) for _ in range(2_000)]
    assert max(dates) <= date.today()
    assert len(set(dates)) > 1  # still noisy: 01-01 of old registers, a year off
