"""A worker's day counts every moment once: two patrols of the same worker that overlap in time
(the phone started a second patrol without ending the first, or the app was opened twice) must
not add the same minutes twice to the 3-hour duty.

Each patrol's counted intervals follow ``geometry.py`` (consecutive points at most 5 minutes
apart: full weight when both are inside the grid, half at a crossing, none outside). Over the
day, at each moment the best weight any patrol has there counts, once — the union of the
patrols' intervals. Patrols whose point spans do not overlap are simply added, with their own
figures, so nothing changes for them; only a group of overlapping patrols is recomputed from
its points.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from gridgov.fieldwork.patrols.geometry import MAX_GAP_SECONDS, TrackPoint, TrackTotals

# Weights of an interval, as levels: outside (tracked only), crossing (half), inside (full).
_OUTSIDE, _HALF, _FULL = 0, 1, 2


@dataclass(frozen=True)
class Span:
    """A patrol of the day: its id, the time of its first and last point (None: no points) and
    its own totals."""

    patrol_id: int
    first: datetime | None
    last: datetime | None
    seconds_inside: int
    seconds_outside: int = 0


@dataclass(frozen=True)
class DayTotals:
    seconds_inside: int
    seconds_outside: int


def groups(spans: Sequence[Span]) -> list[list[Span]]:
    """The spans in groups that overlap in time (touching ends do not overlap); a patrol
    without points is a group of its own."""
    found: list[list[Span]] = [[s] for s in spans if s.first is None or s.last is None]
    timed = [(s.first, s.last, s) for s in spans if s.first is not None and s.last is not None]
    end: datetime | None = None
    for first, last, span in sorted(timed, key=lambda row: (row[0], row[1])):
        if end is not None and first < end:
            found[-1].append(span)
            end = max(end, last)
        else:
            found.append([span])
            end = last
    return found


def union_totals(tracks: Sequence[Sequence[TrackPoint]]) -> TrackTotals:
    """Seconds inside and tracked of several tracks, each moment counted once at its best
    weight (tracks sorted by time, as stored)."""
    events: list[tuple[float, int, int]] = []  # (time, +1 start / -1 end, level)
    for track in tracks:
        for before, after in pairwise(track):
            start, end = before.t.timestamp(), after.t.timestamp()
            if not 0 < end - start <= MAX_GAP_SECONDS:
                continue
            if before.inside and after.inside:
                level = _FULL
            elif before.inside or after.inside:
                level = _HALF
            else:
                level = _OUTSIDE
            events += [(start, 1, level), (end, -1, level)]
    events.sort()
    active = [0, 0, 0]
    totals = TrackTotals()
    previous: float | None = None
    for moment, change, level in events:
        if previous is not None and moment > previous:
            length = moment - previous
            if active[_FULL]:
                totals.seconds_inside += length
            elif active[_HALF]:
                totals.seconds_inside += length / 2
            if any(active):
                totals.seconds_tracked += length
        active[level] += change
        previous = moment
    return totals


def day_totals(
    spans: Sequence[Span],
    tracks_of: Callable[[list[int]], Mapping[int, Sequence[TrackPoint]]],
) -> DayTotals:
    """The day's seconds inside and outside the grid; ``tracks_of`` loads the points of the
    patrols that overlap (and is not called when none do)."""
    inside = outside = 0
    overlapping = []
    for group in groups(spans):
        if len(group) > 1:
            overlapping.append(group)
        else:
            inside += group[0].seconds_inside
            outside += group[0].seconds_outside
    if overlapping:
        points = tracks_of([s.patrol_id for group in overlapping for s in group])
        for group in overlapping:
            union = union_totals([points[s.patrol_id] for s in group])
            counted = round(union.seconds_inside)
            inside += counted
            outside += max(0, round(union.seconds_tracked) - counted)
    return DayTotals(inside, outside)
