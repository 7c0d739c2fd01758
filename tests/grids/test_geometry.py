from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Polygon, box

from gridgov.grids.geometry import PARALLEL_FROM, GridIndex, parse_polygon
from gridgov.kit.errors import BadRequest


@pytest.fixture
def two_by_two() -> GridIndex:
    # Four unit squares sharing edges and one corner at (1, 1).
    return GridIndex.build(
        [
            ("c", box(0, 0, 1, 1)),
            ("a", box(1, 0, 2, 1)),
            ("d", box(0, 1, 1, 2)),
            ("b", box(1, 1, 2, 2)),
        ]
    )


def test_interior_points_find_their_grid(two_by_two: GridIndex) -> None:
    assert two_by_two.locate(0.5, 0.5) == "c"
    assert two_by_two.locate(1.5, 1.5) == "b"


def test_points_on_shared_edges_and_corners_resolve_to_exactly_one_grid(
    two_by_two: GridIndex,
) -> None:
    assert two_by_two.locate(1.0, 0.5) == "a"  # edge of a and c: smallest code
    assert two_by_two.locate(0.5, 1.0) == "c"  # edge of c and d
    assert two_by_two.locate(1.0, 1.0) == "a"  # corner of all four
    assert two_by_two.locate(0.0, 0.0) == "c"  # outer corner still inside the city


def test_points_outside_resolve_to_nothing(two_by_two: GridIndex) -> None:
    assert two_by_two.locate(2.0001, 1) is None
    assert two_by_two.locate(-5, -5) is None


def test_vectorised_lookup_matches_single_lookups(two_by_two: GridIndex) -> None:
    rng = np.random.default_rng(3)
    lngs, lats = rng.uniform(-0.5, 2.5, 500), rng.uniform(-0.5, 2.5, 500)
    found = two_by_two.locate_many(lngs, lats)
    for i in range(500):
        single = two_by_two.locate(lngs[i], lats[i])
        assert (None if found[i] < 0 else two_by_two.codes[found[i]]) == single


def test_big_batches_split_over_threads_give_the_same_answer(two_by_two: GridIndex) -> None:
    rng = np.random.default_rng(4)
    n = PARALLEL_FROM + 12_345
    # Half the points on grid lines (shared edges and corners), where the tie-break matters.
    lngs = np.where(rng.random(n) < 0.5, rng.integers(0, 3, n), rng.uniform(-0.5, 2.5, n))
    lats = np.where(rng.random(n) < 0.5, rng.integers(0, 3, n), rng.uniform(-0.5, 2.5, n))
    assert np.array_equal(two_by_two.locate_many(lngs, lats), two_by_two._locate(lngs, lats))


def test_empty_index_finds_nothing() -> None:
    assert GridIndex.build([]).locate(0, 0) is None


@pytest.mark.parametrize(
    "raw,reason",
    [
        ({"type": "Point", "coordinates": [1, 2]}, "Polygon"),
        ({"type": "Polygon"}, "not a GeoJSON geometry"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, "malformed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}, "invalid"),
        ("not even a dict", "not a GeoJSON geometry"),
    ],
)
def test_bad_polygons_get_a_clear_error(raw: object, reason: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_polygon(raw, allow_multi=False, label="#0")
    assert reason in caught.value.message_en


def test_good_polygon_parses() -> None:
    geometry = parse_polygon(
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        allow_multi=False,
        label="x",
    )
    assert isinstance(geometry, Polygon)
