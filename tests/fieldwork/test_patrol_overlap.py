"""A worker's day counts each moment once: overlapping patrols (a second patrol started without
ending the first) add nothing twice, in the worker's total, the supervisors' duty table and the
track view; patrols that do not overlap add up exactly as before. And a phone whose clock runs
ahead cannot add time that has not passed: its future points are refused, one result each."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from gridgov.authz.principal import Principal, Role
from gridgov.fieldwork.patrols import service, tracks
from gridgov.fieldwork.patrols.geometry import MAX_GAP_SECONDS, TrackPoint, TrackTotals, accumulate
from gridgov.fieldwork.patrols.overlap import Span, day_totals
from gridgov.fieldwork.patrols.schemas import TrackPointIn
from gridgov.kit.clock import utcnow
from tests.factories import auth_headers, create_user
from tests.fieldwork.conftest import INSIDE, OUTSIDE, new_uuid
from tests.fieldwork.test_patrols import track

START = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 09:00 in Yichang
DAY = "2026-11-25"
PATROLS = "/api/v1/field/patrols"

# A patrol as drawn: when it starts (s after START) and its points (step to the previous point,
# inside the grid or not). Starts and steps are multiples of 10 s, so half intervals are whole
# seconds and the figures exact; some steps exceed the 5-minute gap, which counts nothing.
patrol_shape = st.tuples(
    st.integers(0, 360).map(lambda tens: tens * 10),
    st.lists(st.tuples(st.sampled_from([10, 30, 60, 200, 300, 400]), st.booleans()), max_size=25),
)


def points_of(shape: tuple[int, list[tuple[int, bool]]]) -> list[TrackPoint]:
    offset, steps = shape
    moment = START + timedelta(seconds=offset)
    found = []
    for step, inside in steps:
        moment += timedelta(seconds=step)
        found.append(TrackPoint(moment, *(INSIDE if inside else OUTSIDE), inside))
    return found


def counted_once(patrols: list[list[TrackPoint]]) -> int:
    """The reference, second by second: each second counts at the best weight any patrol has
    there (1 inside, ½ at a crossing)."""
    best: dict[int, float] = {}
    for points in patrols:
        for before, after in pairwise(points):
            start = int((before.t - START).total_seconds())
            end = int((after.t - START).total_seconds())
            if end - start > MAX_GAP_SECONDS:
                continue
            weight = (before.inside + after.inside) / 2
            for second in range(start, end):
                best[second] = max(best.get(second, 0.0), weight)
    return round(sum(best.values()))


def own_figure(points: list[TrackPoint]) -> int:
    return round(accumulate(TrackTotals(), None, points).seconds_inside)


def spans_of(patrols: list[list[TrackPoint]]) -> list[Span]:
    return [
        Span(i, p[0].t if p else None, p[-1].t if p else None, own_figure(p))
        for i, p in enumerate(patrols)
    ]


def union_of_spans(patrols: list[list[TrackPoint]]) -> int:
    covered: set[int] = set()
    for points in patrols:
        if points:
            first = int((points[0].t - START).total_seconds())
            covered.update(range(first, int((points[-1].t - START).total_seconds())))
    return len(covered)


def overlap(patrols: list[list[TrackPoint]]) -> bool:
    spans = sorted((p[0].t, p[-1].t) for p in patrols if p)
    return any(later[0] < earlier[1] for earlier, later in pairwise(spans))


@settings(max_examples=300, deadline=None)
@given(shapes=st.lists(patrol_shape, min_size=1, max_size=4), copy=st.booleans())
def test_day_total_counts_each_moment_once(shapes: list, copy: bool) -> None:
    patrols = [points_of(shape) for shape in shapes]
    if copy:  # the phone started the same patrol twice
        patrols.append(list(patrols[0]))
    total = day_totals(spans_of(patrols), lambda ids: {i: patrols[i] for i in ids}).seconds_inside
    assert total == counted_once(patrols)
    assert total <= union_of_spans(patrols)
    assert total >= max(own_figure(p) for p in patrols)
    if not overlap(patrols):
        assert total == sum(own_figure(p) for p in patrols)


def test_points_are_only_loaded_for_overlapping_patrols() -> None:
    patrols = [points_of((0, [(30, True)] * 10)), points_of((3600, [(30, True)] * 10))]

    def never(ids: list[int]) -> dict:
        raise AssertionError(ids)

    assert day_totals(spans_of(patrols), never).seconds_inside == 2 * 270


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shapes=st.lists(patrol_shape, min_size=1, max_size=3))
def test_the_service_counts_the_day_once(
    db: Session, grid: Any, principal: Principal, shapes: list
) -> None:
    patrols = [points_of(shape) for shape in shapes]
    supervisor = Principal(
        user_id=0, username="s", role=Role.COMMUNITY_STAFF, region_code=grid.code[:12]
    )
    day = START.date()
    attempt = db.begin_nested()
    try:
        for points in patrols:
            uuid = new_uuid()
            service.start(db, principal=principal, uuid=uuid, started_at=START)
            sent = [TrackPointIn(t=p.t, lng=p.lng, lat=p.lat) for p in points]
            # In two batches, the second first: the out-of-order path must agree too.
            half = len(sent) // 2
            for batch in (sent[half:], sent[:half]):
                service.add_points(db, principal=principal, uuid=uuid, points=batch)
        expected = counted_once(patrols)
        assert service.my_day(db, principal=principal, day=day).seconds_inside == expected
        summary = service.day_summary(db, principal=supervisor, day=day).workers
        assert [w.seconds_inside for w in summary] == [expected]
        view = tracks.worker_day(db, principal=supervisor, user_id=principal.user_id, day=day)
        assert view.seconds_inside == expected
        assert sorted(p.seconds_inside for p in view.patrols) == sorted(map(own_figure, patrols))
    finally:
        attempt.rollback()


def test_a_second_patrol_started_over_the_first_adds_only_its_own_time(
    client: TestClient, db: Session, grid: Any, worker: Any, worker_headers: dict
) -> None:
    first, second = new_uuid(), new_uuid()
    for uuid, start in ((first, START), (second, START + timedelta(minutes=20))):
        started = client.post(
            PATROLS, json={"uuid": uuid, "started_at": start.isoformat()}, headers=worker_headers
        )
        assert started.status_code == 201
        # Both patrols record the same walk: 30 minutes each, the second from minute 20 on.
        response = client.post(
            f"{PATROLS}/{uuid}/points",
            json={"points": track(61, INSIDE, start)},
            headers=worker_headers,
        )
        assert response.json()["seconds_inside"] == 1800
    today = client.get(f"{PATROLS}/today", params={"day": DAY}, headers=worker_headers).json()
    assert today["seconds_inside"] == 50 * 60  # minutes 0–50, not 60
    assert [p["seconds_inside"] for p in today["patrols"]] == [1800, 1800]

    supervisor = create_user(db, role=Role.COMMUNITY_STAFF, region_code=grid.code[:12])
    headers = auth_headers(client, supervisor)
    [row] = client.get(f"{PATROLS}/summary", params={"day": DAY}, headers=headers).json()["workers"]
    assert (row["seconds_inside"], row["patrols"], row["met"]) == (3000, 2, False)
    view = client.get(f"{PATROLS}/tracks/{worker.id}", params={"day": DAY}, headers=headers).json()
    assert (view["seconds_inside"], view["seconds_outside"]) == (3000, 0)


def test_points_from_the_future_are_refused_one_by_one(
    client: TestClient, worker_headers: dict
) -> None:
    now = utcnow().replace(microsecond=0)
    uuid = new_uuid()
    started = client.post(
        PATROLS,
        json={"uuid": uuid, "started_at": (now + timedelta(days=1)).isoformat()},
        headers=worker_headers,
    )
    # A start dated tomorrow is taken as now: the patrol belongs to today.
    assert started.json()["day"] == service.local_day(now).isoformat()
    assert datetime.fromisoformat(started.json()["started_at"]) - now < timedelta(minutes=1)
    points = track(3, INSIDE, now - timedelta(seconds=60))  # now - 60 s … now - 0 s
    points += track(2, INSIDE, now + timedelta(minutes=2))  # a clock a little fast: fine
    points += track(2, INSIDE, now + timedelta(hours=3))  # a clock set wrong: not counted
    response = client.post(
        f"{PATROLS}/{uuid}/points", json={"points": points}, headers=worker_headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["status"] for r in body["results"]] == ["accepted"] * 5 + ["rejected"] * 2
    refused = body["results"][-1]
    assert refused["code"] == "future_time" and refused["message_en"] and refused["message"]
    assert datetime.fromisoformat(refused["t"]) == datetime.fromisoformat(points[-1]["t"])
    assert body["point_count"] == 5
    # 30 + 30 s up to now, 120 s to the first point a little ahead, 30 s to the next one.
    assert body["seconds_inside"] == 210
    ended = client.post(
        f"{PATROLS}/{uuid}/end",
        json={"ended_at": (now + timedelta(hours=5)).isoformat()},
        headers=worker_headers,
    ).json()
    assert datetime.fromisoformat(ended["ended_at"]) - now < timedelta(minutes=1)
    assert ended["seconds_inside"] == 210
