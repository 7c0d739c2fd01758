"""A community's new division as a CP-SAT model (Google OR-Tools) over the building graph.

Variables: ``x[u, g]`` = unit (building) ``u`` belongs to grid slot ``g``. The slots are the
community's current grids (a slot left empty retires its grid) plus the new grids the household
total may need.

Constraints
* every unit in exactly one slot (a building is never split; the units are the community's, so
  every grid stays inside its community);
* a used slot holds ``lower``–``upper`` households, an unused one nothing;
* contiguity: one root per used slot, and a single-commodity flow along the adjacency edges
  inside the slot brings one unit of flow from the root to every other member, so every member
  is reachable from the root without leaving the slot;
* new slots are used in order (symmetry breaking).

Objective (minimised): ``MOVE_WEIGHT`` (100) × households whose grid changes + ``HOUSE_WEIGHT``
(10) × houses whose grid changes + metres of boundary between different grids. One household
moved weighs as much as 100 m of boundary, so the solver first keeps households where they are
(most grids stay exactly as they are) and then prefers short boundaries (compact grids, quick to
walk); the house term keeps empty buildings (vacant or demolished flats) where they are unless
moving them shortens the boundary by more than 10 m a house. A metre of boundary between two
buildings of the same compound counts ``COMPOUND_CUT`` (3) times, so grids follow compound
boundaries where the households allow it. The search stops at 1 % from the best
bound ("optimal") or at the time limit ("feasible": the best division found by then).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from ortools.sat.python import cp_model

from gridgov.redivision.rules import (
    DEFAULT_TIME_LIMIT,
    HARD_LIMIT_FACTOR,
    LOWER,
    UPPER,
    grid_count_range,
)
from gridgov.redivision.units import Graph, compound_key

MOVE_WEIGHT = 100
HOUSE_WEIGHT = 10
COMPOUND_CUT = 3


@dataclass(frozen=True)
class Solution:
    assignment: list[int]  # slot per unit
    slots: int  # slots offered (current grids first, then new ones)
    status: str  # "optimal" | "feasible"
    households_moved: int
    boundary_m: float
    seconds: float


@dataclass(frozen=True)
class NoSolution:
    status: str  # "infeasible" | "unknown" (time limit reached before any division was found)
    seconds: float


def solve(
    graph: Graph,
    *,
    current: list[int],
    existing: int,
    lower: int = LOWER,
    upper: int = UPPER,
    time_limit: float = DEFAULT_TIME_LIMIT,
    workers: int = 2,
) -> Solution | NoSolution:
    """Divide the graph; ``current[u]`` is the slot (0 … existing − 1) unit ``u`` is in today.

    First with the neighbourhood rule (grids far from the drift stay fixed); when that admits
    no division, again with every building free to join any grid."""
    started = time.perf_counter()
    total = sum(u.households for u in graph.units)
    fewest, most = grid_count_range(total, lower, upper)
    slots = existing + max(0, min(most, max(existing, fewest) + 1) - existing)
    allowed = _allowed_slots(graph, current, existing, slots, lower, upper)
    result = _solve(graph, current, existing, slots, allowed, lower, upper, time_limit, workers)
    if isinstance(result, NoSolution) and result.status == "infeasible":
        remaining = max(1.0, time_limit - (time.perf_counter() - started))
        everywhere = [list(range(slots)) for _ in graph.units]
        result = _solve(
            graph, current, existing, slots, everywhere, lower, upper, remaining, workers
        )
    if isinstance(result, Solution):
        return replace(result, seconds=time.perf_counter() - started)
    return NoSolution(result.status, time.perf_counter() - started)


def _solve(
    graph: Graph,
    current: list[int],
    existing: int,
    slots: int,
    allowed: list[list[int]],
    lower: int,
    upper: int,
    time_limit: float,
    workers: int,
) -> Solution | NoSolution:
    started = time.perf_counter()
    n = len(graph.units)
    households = [u.households for u in graph.units]
    free = [u for u in range(n) if len(allowed[u]) > 1]
    model = cp_model.CpModel()
    x = {(u, g): model.new_bool_var(f"x{u}_{g}") for u in range(n) for g in allowed[u]}
    members: list[list[int]] = [[u for u in range(n) if g in allowed[u]] for g in range(slots)]
    used = [model.new_bool_var(f"used{g}") for g in range(slots)]
    for u in range(n):
        model.add_exactly_one(x[u, g] for g in allowed[u])
    for g in range(slots):
        load = sum(households[u] * x[u, g] for u in members[g])
        model.add(load >= lower).only_enforce_if(used[g])
        model.add(load <= upper * used[g])
        for u in members[g]:
            model.add_implication(x[u, g], used[g])
    for g in range(existing, slots - 1):
        model.add_implication(used[g + 1], used[g])
    _contiguity(model, graph, x, used, members, current, existing)

    cut = []
    for e, (i, j, _length) in enumerate(graph.edges):
        c = model.new_bool_var(f"cut{e}")
        for g in set(allowed[i]) | set(allowed[j]):
            xi = x.get((i, g), 0)
            xj = x.get((j, g), 0)
            model.add(c >= xi - xj)
            model.add(c >= xj - xi)
        cut.append(c)
    moved = sum(households[u] * (1 - x[u, current[u]]) for u in free)
    houses_moved = sum(len(graph.units[u].house_ids) * (1 - x[u, current[u]]) for u in free)
    # Valid bounds that the linear relaxation does not see: every household of a new grid has
    # moved, and so has every household of a retired one.
    held = [sum(households[u] for u in range(n) if current[u] == g) for g in range(existing)]
    model.add(moved >= lower * sum(used[g] for g in range(existing, slots)))
    for g in range(existing):
        model.add(moved >= held[g] * (1 - used[g]))
    # A boundary through a compound (between two of its buildings) counts COMPOUND_CUT times
    # its length: grids follow compound boundaries where the households allow it.
    compounds = [compound_key(u.key) for u in graph.units]
    boundary = sum(
        round(length)
        * (COMPOUND_CUT if compounds[i] and compounds[i] == compounds[j] else 1)
        * cut[e]
        for e, (i, j, length) in enumerate(graph.edges)
    )
    for u in free:
        model.add_hint(x[u, current[u]], True)

    # Households moved dominate; boundary metres break ties between divisions that move about
    # as many households (one household weighs as much as MOVE_WEIGHT metres of boundary). Each
    # house moved costs HOUSE_WEIGHT too, so an empty building (vacant, demolished flats) does
    # not change grid just to shorten a boundary.
    model.minimize(MOVE_WEIGHT * moved + HOUSE_WEIGHT * houses_moved + boundary)
    solver, status = _run(model, time_limit, workers)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return NoSolution(
            "infeasible" if status == cp_model.INFEASIBLE else "unknown",
            time.perf_counter() - started,
        )
    proven = status == cp_model.OPTIMAL
    chosen = {key: solver.boolean_value(var) for key, var in x.items()}
    seconds = time.perf_counter() - started
    assignment = [next(g for g in allowed[u] if chosen[u, g]) for u in range(n)]
    return Solution(
        assignment=assignment,
        slots=slots,
        status="optimal" if proven else "feasible",
        households_moved=sum(households[u] for u in range(n) if assignment[u] != current[u]),
        boundary_m=sum(length for i, j, length in graph.edges if assignment[i] != assignment[j]),
        seconds=seconds,
    )


def _allowed_slots(
    graph: Graph, current: list[int], existing: int, slots: int, lower: int, upper: int
) -> list[list[int]]:
    """Which slots each unit may take. Grids within range whose neighbours are all within range
    stay as they are (their units are fixed); the others' units may stay, join a neighbouring
    grid (a grid sharing a boundary with the unit's grid) or a new grid."""
    n = len(graph.units)
    held = [0] * existing
    for u in range(n):
        held[current[u]] += graph.units[u].households
    touching: list[set[int]] = [set() for _ in range(existing)]
    for i, j, _ in graph.edges:
        a, b = current[i], current[j]
        if a != b:
            touching[a].add(b)
            touching[b].add(a)
    drifted = {g for g in range(existing) if not lower <= held[g] <= upper}
    active = drifted | {g for g in range(existing) if touching[g] & drifted}
    new_slots = list(range(existing, slots))
    allowed: list[list[int]] = []
    for u in range(n):
        g = current[u]
        if g not in active:
            allowed.append([g])
            continue
        # A drifted grid may trade with every neighbour; a neighbour within range only with the
        # drifted grids it touches (it is not re-cut against its other neighbours).
        partners = touching[g] & active if g in drifted else touching[g] & drifted
        near = sorted({g} | partners)
        allowed.append(near + new_slots)
    return allowed


def _contiguity(
    model: cp_model.CpModel,
    graph: Graph,
    x: dict[tuple[int, int], cp_model.IntVar],
    used: list[cp_model.IntVar],
    members: list[list[int]],
    current: list[int],
    existing: int,
) -> None:
    """Single-commodity flow per slot: the root sends one unit to every other member along edges
    whose both ends are in the slot. A current grid's root is one of its own buildings."""
    adjacency = graph.neighbours()
    for g, inside in enumerate(members):
        if len(inside) <= 1:
            continue
        allowed = set(inside)
        rootable = [u for u in inside if g >= existing or current[u] == g] or inside
        root = {u: model.new_bool_var(f"r{u}_{g}") for u in rootable}
        model.add(sum(root.values()) == used[g])
        for u, r in root.items():
            model.add_implication(r, x[u, g])
        size = len(inside)
        flow: dict[tuple[int, int], cp_model.IntVar] = {}
        for i in inside:
            for j in adjacency[i]:
                if j in allowed:
                    f = model.new_int_var(0, size - 1, f"f{i}_{j}_{g}")
                    model.add(f <= (size - 1) * x[i, g])
                    model.add(f <= (size - 1) * x[j, g])
                    flow[i, j] = f
        for u in inside:
            net_in = sum(flow[j, u] for j in adjacency[u] if (j, u) in flow) - sum(
                flow[u, j] for j in adjacency[u] if (u, j) in flow
            )
            supply = size * root[u] if u in root else 0
            model.add(net_in >= x[u, g] - supply)


def _run(model: cp_model.CpModel, time_limit: float, workers: int) -> tuple[cp_model.CpSolver, Any]:
    solver = cp_model.CpSolver()
    # The limit is soft: a search that has found nothing yet may go on to three times it.
    soft_limit = time_limit
    solver.parameters.max_time_in_seconds = HARD_LIMIT_FACTOR * time_limit
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = 1
    # Within 1 % of the best bound is good enough: proving the last percent costs most of the time.
    solver.parameters.relative_gap_limit = 0.01
    watch = _SoftLimit(solver, soft_limit)
    try:
        return solver, solver.solve(model, watch)
    finally:
        watch.finish()


class _SoftLimit(cp_model.CpSolverSolutionCallback):
    """Stops the search at ``seconds`` once it holds a division; without one it goes on (up to
    the solver's hard limit), so a hard community gets an answer instead of a time-out."""

    def __init__(self, solver: cp_model.CpSolver, seconds: float) -> None:
        super().__init__()
        self._solver = solver
        self._deadline = time.monotonic() + seconds
        self._found = threading.Event()
        self._done = threading.Event()
        threading.Thread(target=self._watch, daemon=True).start()

    def on_solution_callback(self) -> None:
        self._found.set()

    def _watch(self) -> None:
        while not self._done.wait(0.1):
            if self._found.is_set() and time.monotonic() >= self._deadline:
                self._solver.stop_search()
                return

    def finish(self) -> None:
        self._done.set()
