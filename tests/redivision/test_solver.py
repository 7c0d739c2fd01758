"""The solver's objective on a graph small enough to be solved to optimality."""

from __future__ import annotations

from gridgov.redivision import solver
from gridgov.redivision.solver import Solution
from gridgov.redivision.units import Graph, Unit


def _unit(key: str, grid: str, households: int, houses: int) -> Unit:
    return Unit(key=key, grid_code=grid, house_ids=list(range(houses)), households=households)


def test_an_empty_building_stays_unless_it_shortens_the_boundary_a_lot() -> None:
    # Grid A holds 320 (u0 200 + u1 120), grid B 180 (u2 180 + u3, an empty building of 60
    # flats). The only fix moves u1 to B. Moving u3 to A as well would save 480 m of boundary
    # (u0-u3 is 500 m, u3's other sides 20 m) but changes the grid of 60 houses for nothing.
    units = [
        _unit("u0", "A", 200, 40),
        _unit("u1", "A", 120, 30),
        _unit("u2", "B", 180, 40),
        _unit("u3", "B", 0, 60),
    ]
    edges = [(0, 1, 50.0), (1, 2, 50.0), (1, 3, 10.0), (2, 3, 10.0), (0, 3, 500.0)]
    result = solver.solve(Graph(units, edges), current=[0, 0, 1, 1], existing=2, time_limit=5)
    assert isinstance(result, Solution) and result.status == "optimal"
    assert result.assignment == [0, 1, 1, 1]
    assert result.households_moved == 120


def test_a_whole_compound_moves_rather_than_a_compound_being_cut() -> None:
    # Grid A: compound 1号 (x1 100, x2 120) and compound 2号 (y1 120) = 340; grid B: z1 150.
    # Moving x2 or y1 moves 120 households either way. Cutting between x1 and x2 would make the
    # shorter boundary (200 m against 210 m), but it runs through compound 1号.
    units = [
        _unit("测试路1号1栋", "A", 100, 20),
        _unit("测试路1号2栋", "A", 120, 24),
        _unit("测试路2号1栋", "A", 120, 24),
        _unit("测试路3号1栋", "B", 150, 30),
    ]
    edges = [(0, 1, 100.0), (0, 2, 100.0), (1, 2, 50.0), (1, 3, 60.0), (2, 3, 50.0)]
    result = solver.solve(Graph(units, edges), current=[0, 0, 0, 1], existing=2, time_limit=5)
    assert isinstance(result, Solution) and result.status == "optimal"
    assert result.assignment == [0, 0, 1, 1]
    assert result.households_moved == 120
