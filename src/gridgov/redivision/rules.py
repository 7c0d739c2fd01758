"""The rules a division must meet, checked before and after the solver.

Before: rules that no division can meet (too few households, an island too small or too big
for whole grids, a building bigger than a grid) are explained instead of being handed to the
solver. After: a proposal edited by hand is checked rule by rule before it may be approved.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gridgov.redivision.units import Graph

LOWER = 200
UPPER = 300
# The solver's search: seconds it aims at, and how much longer it may take without a division.
DEFAULT_TIME_LIMIT = 5.0
HARD_LIMIT_FACTOR = 3


@dataclass(frozen=True)
class Violation:
    rule: str  # range / contiguity / building / island / total
    message: str
    message_en: str


def grid_count_range(households: int, lower: int = LOWER, upper: int = UPPER) -> tuple[int, int]:
    """Fewest and most grids ``households`` can fill within the range (empty when min > max)."""
    return math.ceil(households / upper), households // lower


def infeasibility(graph: Graph, lower: int = LOWER, upper: int = UPPER) -> Violation | None:
    """The first rule no division of this graph can meet, or None."""
    total = sum(u.households for u in graph.units)
    fewest, most = grid_count_range(total, lower, upper)
    if total < lower:
        return Violation(
            "total",
            f"社区只有 {total} 户，不足一个网格的下限 {lower} 户，应与相邻社区合并后再划分",
            f"The community holds only {total} households, fewer than one grid's minimum of "
            f"{lower}; merge it with a neighbouring community first",
        )
    if fewest > most:
        return Violation(
            "total",
            f"社区共 {total} 户，无法分成每格 {lower}–{upper} 户的整数个网格",
            f"{total} households cannot be split into whole grids of {lower}–{upper} households",
        )
    for unit in graph.units:
        if unit.households > upper:
            return Violation(
                "building",
                f"{unit.key} 有 {unit.households} 户，超过一个网格的上限 {upper} 户；楼栋不可拆分",
                f"{unit.key} holds {unit.households} households, more than one grid's maximum "
                f"of {upper}; a building is never split",
            )
    parts = graph.components()
    if len(parts) > 1:
        for part in parts:
            held = sum(graph.units[i].households for i in part)
            low, high = grid_count_range(held, lower, upper)
            if held and low > high:
                names = "、".join(graph.units[i].key for i in part[:3])
                return Violation(
                    "island",
                    f"{names} 等 {len(part)} 栋楼与社区其他部分不相连（飞地），共 {held} 户，"
                    f"无法单独组成 {lower}–{upper} 户的网格",
                    f"{len(part)} buildings ({names} …) are cut off from the rest of the "
                    f"community (an island) and hold {held} households, which cannot form grids "
                    f"of {lower}–{upper} on their own",
                )
    return None


def violations(
    graph: Graph, assignment: list[int], lower: int = LOWER, upper: int = UPPER
) -> list[Violation]:
    """What a given division (slot per unit) breaks: range and contiguity of every grid."""
    found: list[Violation] = []
    slots: dict[int, list[int]] = {}
    for unit, slot in enumerate(assignment):
        slots.setdefault(slot, []).append(unit)
    for slot, members in sorted(slots.items()):
        held = sum(graph.units[i].households for i in members)
        if not lower <= held <= upper:
            found.append(
                Violation(
                    "range",
                    f"第 {slot + 1} 号网格有 {held} 户，不在 {lower}–{upper} 户之间",
                    f"Grid {slot + 1} holds {held} households, outside {lower}–{upper}",
                )
            )
        if len(graph.components(members)) > 1:
            found.append(
                Violation(
                    "contiguity",
                    f"第 {slot + 1} 号网格不连片（分成了互不相邻的几块）",
                    f"Grid {slot + 1} is not contiguous (made of parts that do not touch)",
                )
            )
    return found
