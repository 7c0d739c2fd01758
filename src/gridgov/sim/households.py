"""Who lives together: household compositions for the synthetic population, drawn for many
households at once with numpy.

A household of 1–7 (mean ≈ 2.7) has a head (age from a pyramid of heads, 62 % men) and usually a
spouse; the other members depend on the head's age:

* under 22: a parent, then others;
* 22–49: up to three children, then a parent, then others;
* 50–59: up to three children, then grandchildren once the eldest child is 22 (else a parent,
  then others);
* 60 and over: one grown-up child, a child-in-law when three or more places are left, then
  grandchildren.

Children carry the father's surname (the mother's without a spouse), grandchildren the eldest
child's when he is a son.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RELATIONS = ("head", "spouse", "child", "child_in_law", "grandchild", "parent", "other")
HEAD, SPOUSE, CHILD, CHILD_IN_LAW, GRANDCHILD, PARENT, OTHER = range(len(RELATIONS))
# Head-of-household age bands (from, to, weight).
HEAD_AGES = ((20, 29, 10), (30, 39, 18), (40, 49, 18), (50, 59, 20), (60, 69, 18), (70, 79, 11), (80, 95, 5))  # fmt: skip
HOUSEHOLD_SIZES = ((1, 0.24), (2, 0.28), (3, 0.22), (4, 0.13), (5, 0.08), (6, 0.04), (7, 0.01))
_SLOTS = max(size for size, _ in HOUSEHOLD_SIZES) - 1  # places after the head


@dataclass(frozen=True)
class Members:
    """The members of ``n`` households, one array element per person: a household's members are
    adjacent, head first. ``surname_from`` is the index of the member whose surname a person
    carries (the person's own index when it is their own)."""

    household: np.ndarray
    relation: np.ndarray  # index into RELATIONS
    age: np.ndarray
    male: np.ndarray
    surname_from: np.ndarray
    size: np.ndarray  # per household


def pick(gen: np.random.Generator, weights: list[float], n: int) -> np.ndarray:
    """``n`` indexes into ``weights`` drawn with those weights."""
    cum = np.cumsum(weights)
    return np.searchsorted(cum, gen.random(n) * cum[-1], side="right")


def _pattern(head_age: np.ndarray, eldest_age: np.ndarray, rest: np.ndarray) -> np.ndarray:
    """Relations of the places after head and spouse, one row per household (see the module
    docstring)."""
    slot = np.arange(_SLOTS)[None, :]
    age = head_age[:, None]
    pattern = np.where(slot < 3, CHILD, np.where(slot == 3, PARENT, OTHER))
    grandchildren = ((age >= 50) & (eldest_age[:, None] >= 22)) & (slot >= 3)
    pattern = np.where(grandchildren, GRANDCHILD, pattern)
    pattern = np.where(age < 22, np.where(slot == 0, PARENT, OTHER), pattern)
    in_law = np.where(rest[:, None] >= 3, CHILD_IN_LAW, GRANDCHILD)
    old = np.where(slot == 0, CHILD, np.where(slot == 1, in_law, GRANDCHILD))
    return np.where(age >= 60, old, pattern)


def compose(gen: np.random.Generator, alone: np.ndarray) -> Members:
    """Members of ``len(alone)`` households; ``alone`` marks one-person households (foreign
    residents here on their own)."""
    n = len(alone)
    sizes = np.array([size for size, _ in HOUSEHOLD_SIZES])
    size = np.where(alone, 1, sizes[pick(gen, [w for _, w in HOUSEHOLD_SIZES], n)])
    band = pick(gen, [w for *_, w in HEAD_AGES], n)
    low = np.array([a for a, _, _ in HEAD_AGES])[band]
    high = np.array([b for _, b, _ in HEAD_AGES])[band]
    head_age = gen.integers(low, high + 1)
    head_male = gen.random(n) < 0.62
    spouse = (size >= 2) & ((gen.random(n) < 0.88) | (size >= 4))
    rest = size - 1 - spouse
    eldest_age = np.where(
        head_age >= 60,
        np.maximum(18, head_age - gen.integers(24, 35, n)),
        np.maximum(0, head_age - gen.integers(22, 37, n)),
    )
    pattern = _pattern(head_age, eldest_age, rest)

    household = np.repeat(np.arange(n), size)
    first = np.cumsum(size) - size  # index of each household's head
    total = int(size.sum())
    position = np.arange(total) - first[household]
    has_spouse = spouse[household]
    slot = np.clip(position - 1 - has_spouse, 0, _SLOTS - 1)
    relation = np.where(
        position == 0,
        HEAD,
        np.where((position == 1) & has_spouse, SPOUSE, pattern[household, slot]),
    )
    eldest_slot = (position == 1 + has_spouse) & (relation == CHILD)

    head = head_age[household]
    eldest = eldest_age[household]
    age = np.select(
        [
            relation == HEAD,
            relation == SPOUSE,
            eldest_slot,
            relation == CHILD,
            relation == CHILD_IN_LAW,
            relation == GRANDCHILD,
            relation == PARENT,
        ],
        [
            head,
            np.clip(head + gen.integers(-4, 5, total), 20, 98),
            eldest,
            np.maximum(0, head - gen.integers(22, 37, total)),
            eldest + gen.integers(-3, 4, total),
            np.maximum(0, eldest - gen.integers(22, 33, total)),
            np.minimum(98, head + gen.integers(24, 33, total)),
        ],
        default=gen.integers(18, 71, total),
    )

    drawn_male = gen.random(total) < 0.5
    # The eldest child sits right after head and spouse (where the pattern has children).
    eldest_index = np.minimum(first + 1 + spouse, total - 1)
    eldest_male = drawn_male[eldest_index][household]
    male = np.select(
        [relation == HEAD, relation == SPOUSE, relation == CHILD_IN_LAW],
        [head_male[household], ~head_male[household], ~eldest_male],
        default=drawn_male,
    )
    father = np.where(head_male | ~spouse, first, first + 1)[household]
    own = np.arange(total)
    surname_from = np.select(
        [relation == CHILD, (relation == GRANDCHILD) & eldest_male],
        [father, eldest_index[household]],
        default=own,
    )
    surname_from = surname_from[surname_from]  # a grandchild's father carries his father's
    return Members(
        household=household,
        relation=relation,
        age=age,
        male=male,
        surname_from=surname_from,
        size=size,
    )
