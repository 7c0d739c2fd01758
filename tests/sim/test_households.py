import numpy as np

from gridgov.sim.households import (
    CHILD,
    CHILD_IN_LAW,
    GRANDCHILD,
    HEAD,
    PARENT,
    RELATIONS,
    SPOUSE,
    Members,
    compose,
)


def _households(members: Members) -> list[list[int]]:
    starts = np.flatnonzero(members.relation == HEAD).tolist()
    return [list(range(a, b)) for a, b in zip(starts, [*starts[1:], len(members.age)], strict=True)]


def test_compositions_are_believable() -> None:
    alone = np.zeros(20_000, dtype=bool)
    alone[:50] = True
    members = compose(np.random.default_rng(1), alone)
    households = _households(members)
    assert len(households) == 20_000
    assert [len(h) for h in households] == members.size.tolist()
    assert set(members.size[:50].tolist()) == {1}
    assert set(members.size.tolist()) == set(range(1, 8))
    assert 2.6 < members.size.mean() < 2.8
    assert 0.55 < members.male[members.relation == HEAD].mean() < 0.7
    rel, age, male, surname = members.relation, members.age, members.male, members.surname_from
    for people in households:
        head = people[0]
        assert 20 <= age[head] <= 95 and surname[head] == head
        assert np.all(members.household[people] == members.household[head])
        spouses = [i for i in people if rel[i] == SPOUSE]
        assert spouses in ([], [head + 1])
        for spouse in spouses:
            assert male[spouse] != male[head] and 20 <= age[spouse] <= 98
        father = head if male[head] or not spouses else spouses[0]
        children = [i for i in people if rel[i] == CHILD]
        eldest = children[0] if children else None
        for child in children:
            assert surname[child] == father
            assert age[child] <= max(0, age[head] - 22)
        if age[head] >= 60:
            assert len(children) <= 1
            assert all(age[c] >= 18 for c in children)
        if age[head] < 22:
            assert not children
        assert len(children) <= 3
        assert sum(1 for i in people if rel[i] == PARENT) <= 1
        for in_law in (i for i in people if rel[i] == CHILD_IN_LAW):
            assert eldest is not None and male[in_law] != male[eldest]
        for grandchild in (i for i in people if rel[i] == GRANDCHILD):
            assert eldest is not None and age[eldest] >= 22
            assert surname[grandchild] == (father if male[eldest] else grandchild)
    shares = np.bincount(rel, minlength=len(RELATIONS)) / len(rel)
    assert shares[HEAD] > 0.3 and shares[CHILD] > 0.15 and shares[GRANDCHILD] > 0.01


def test_compositions_are_deterministic() -> None:
    alone = np.zeros(500, dtype=bool)
    first = compose(np.random.default_rng(9), alone)
    second = compose(np.random.default_rng(9), alone)
    for name in ("household", "relation", "age", "male", "surname_from", "size"):
        assert np.array_equal(getattr(first, name), getattr(second, name))
